import type { ChatMessageV1, GenerationParametersV1, WarningV1 } from '@evalchemy/core';
import type { Content, GenerateContentConfig } from '@google/genai';

/** The Gemini API takes at most this many stop sequences; the rest are applied to the answer here. */
export const maxStopSequences = 5;

/** The most alternatives per token Gemini returns (`logprobs` in [0, 20]). */
export const geminiTopLogprobsLimit = 20;

/**
 * A chat conversation as `generateContent` takes it: system messages become `systemInstruction` (wherever
 * they stand), user and assistant turns `contents` with roles `user` and `model`. Consecutive turns of one
 * role are merged into one content with a part per message, since the API wants the roles to alternate.
 */
export function contentsOf(messages: readonly ChatMessageV1[]): {
  contents: Content[];
  systemInstruction?: Content;
} {
  const system = messages.filter((message) => message.role === 'system');
  const contents: Content[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    if (last?.role === role) last.parts!.push({ text: message.content });
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  return {
    contents,
    ...(system.length > 0
      ? { systemInstruction: { parts: system.map((message) => ({ text: message.content })) } }
      : {}),
  };
}

/**
 * The SDK `config` (the API's `generationConfig`) for the request's parameters. `stop` beyond the first five
 * comes back in `extraStops`, applied to the answer by the caller; `topLogprobs` is sent only when the user
 * turned `logprobs` on, else it is a warning.
 */
export function generationConfigOf(
  parameters: GenerationParametersV1,
  settings: { logprobs: boolean; thinkingBudget: number | undefined },
): { config: GenerateContentConfig; extraStops: string[]; warnings: WarningV1[] } {
  const config: GenerateContentConfig = {};
  const warnings: WarningV1[] = [];
  let extraStops: string[] = [];
  if (parameters.maxTokens !== undefined) config.maxOutputTokens = parameters.maxTokens;
  if (parameters.temperature !== undefined) config.temperature = parameters.temperature;
  if (parameters.topP !== undefined) config.topP = parameters.topP;
  if (parameters.seed !== undefined) config.seed = parameters.seed;
  const stops = parameters.stop?.filter((stop) => stop !== '') ?? [];
  if (stops.length > 0) {
    config.stopSequences = stops.slice(0, maxStopSequences);
    extraStops = stops.slice(maxStopSequences);
  }
  if (parameters.responseFormat === 'json') config.responseMimeType = 'application/json';
  if (parameters.topLogprobs !== undefined) {
    if (settings.logprobs) {
      config.responseLogprobs = true;
      config.logprobs = Math.min(parameters.topLogprobs, geminiTopLogprobsLimit);
    } else {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'topLogprobs',
        message:
          'topLogprobs was not sent: most Gemini models refuse log-probabilities. Pass --model_args logprobs=true ' +
          'for a model that returns them.',
      });
    }
  }
  if (settings.thinkingBudget !== undefined) {
    config.thinkingConfig = { thinkingBudget: settings.thinkingBudget };
  }
  return { config, extraStops, warnings };
}

/** The text cut before the first of `stops`, and whether one was found. */
export function cutAtStops(text: string, stops: readonly string[]): { text: string; stopped: boolean } {
  let end = -1;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index !== -1 && (end === -1 || index < end)) end = index;
  }
  return end === -1 ? { text, stopped: false } : { text: text.slice(0, end), stopped: true };
}
