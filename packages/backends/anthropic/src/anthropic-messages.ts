import type {
  ChatMessageV1,
  FinishReasonV1,
  GenerationParametersV1,
  TokenUsageV1,
  WarningV1,
} from '@evalchemy/core';
import { z } from 'zod';

/** A sampling setting the server refused for this model; it is left out of later requests (see README). */
export type DroppableSetting = 'temperature' | 'topP';

/** The body of `POST /v1/messages`, as this backend sends it. */
export interface MessagesRequestBody {
  model: string;
  max_tokens: number;
  messages: { role: 'user' | 'assistant'; content: string }[];
  system?: string;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
}

/** A request body, the warnings for settings it cannot carry, and the stop strings applied to the answer here. */
export interface MessagesRequest {
  body: MessagesRequestBody;
  warnings: WarningV1[];
  /** Whitespace-only stop strings, which the API refuses: the answer is cut at the first of them instead. */
  localStops: string[];
}

/**
 * Maps a chat request to the Messages API: system messages to `system` (joined with a blank line), the others to
 * `messages` with consecutive same-role messages merged (the API wants alternating turns), `max_tokens` always.
 */
export function toMessagesRequest(
  model: string,
  messages: ChatMessageV1[],
  parameters: GenerationParametersV1,
  settings: { defaultMaxTokens: number; dropped: ReadonlySet<DroppableSetting> },
): MessagesRequest {
  const warnings: WarningV1[] = [];
  const system = messages.filter((message) => message.role === 'system').map((message) => message.content);
  const turns: MessagesRequestBody['messages'] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const last = turns.at(-1);
    if (last?.role === message.role) last.content = `${last.content}\n\n${message.content}`;
    else turns.push({ role: message.role, content: message.content });
  }
  const body: MessagesRequestBody = {
    model,
    max_tokens: parameters.maxTokens ?? settings.defaultMaxTokens,
    messages: turns,
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
  };
  const localStops: string[] = [];
  if (parameters.stop !== undefined && parameters.stop.length > 0) {
    const sent = parameters.stop.filter((stop) => stop.trim() !== '');
    localStops.push(...parameters.stop.filter((stop) => stop !== '' && stop.trim() === ''));
    if (sent.length > 0) body.stop_sequences = sent;
    if (localStops.length > 0) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'stop',
        message:
          `The Messages API refuses whitespace-only stop sequences (${localStops.map((stop) => JSON.stringify(stop)).join(', ')}): ` +
          'they were not sent, and the answer was cut at the first of them after generation.',
      });
    }
  }
  for (const [setting, field, value] of [
    ['temperature', 'temperature', parameters.temperature],
    ['topP', 'top_p', parameters.topP],
  ] as const) {
    if (value === undefined) continue;
    if (settings.dropped.has(setting)) warnings.push(droppedWarning(setting, model));
    else if (setting === 'temperature' && value > 1) {
      // The Messages API's temperature ranges over [0, 1] (OpenAI's over [0, 2]).
      body.temperature = 1;
      warnings.push({
        type: 'unsupported-setting',
        setting,
        message: `The Messages API accepts temperature from 0 to 1: ${value} was sent as 1.`,
      });
    } else body[field] = value;
  }
  if (parameters.seed !== undefined) {
    warnings.push({
      type: 'unsupported-setting',
      setting: 'seed',
      message:
        'The Messages API has no sampling seed: seed was not sent, so answers are not reproducible by seed.',
    });
  }
  if (parameters.topLogprobs !== undefined) {
    warnings.push({
      type: 'unsupported-setting',
      setting: 'topLogprobs',
      message: 'The Messages API returns no token log-probabilities: topLogprobs was not sent.',
    });
  }
  if (parameters.responseFormat === 'json') {
    warnings.push({
      type: 'unsupported-setting',
      setting: 'responseFormat',
      message:
        'The Messages API has no JSON mode for plain requests: responseFormat json was not sent (the prompt alone asks for JSON).',
    });
  }
  return { body, warnings, localStops };
}

/** The warning for a sampling setting this model refused earlier in the run (and was therefore not sent). */
export function droppedWarning(setting: DroppableSetting, model: string): WarningV1 {
  const field = setting === 'topP' ? 'top_p' : 'temperature';
  return {
    type: 'unsupported-setting',
    setting,
    message: `Model ${model} does not accept ${field} (the API refused it as deprecated or unsupported): it was not sent.`,
  };
}

/**
 * The sampling settings a 400 answer names as refused for this model ("temperature is deprecated for this
 * model", "`top_p` is not supported"), so that the request can be sent again without them.
 */
export function refusedSettings(message: string, body: MessagesRequestBody): DroppableSetting[] {
  if (!/deprecated|not supported|unsupported|not allowed/i.test(message)) return [];
  const refused: DroppableSetting[] = [];
  if (body.temperature !== undefined && /\btemperature\b/i.test(message)) refused.push('temperature');
  if (body.top_p !== undefined && /\btop_p\b/i.test(message)) refused.push('topP');
  return refused;
}

const usageSchema = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});

/** The part of a Messages API answer this backend reads. */
export const messageResponseSchema = z.object({
  type: z.literal('message').optional(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: usageSchema.nullish(),
});
export type MessageResponse = z.output<typeof messageResponseSchema>;

/** The answer: its `text` content blocks joined (thinking and tool blocks are not part of it). */
export function textOf(response: MessageResponse): string {
  return response.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
}

/**
 * Token counts. The API's `input_tokens` counts only the prompt tokens after the last cache breakpoint; cache
 * reads and cache writes come separately, so the prompt's size is their sum, of which the reads are cached.
 */
export function usageOf(response: MessageResponse): TokenUsageV1 | undefined {
  const usage = response.usage;
  if (!usage) return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: usage.input_tokens + cacheRead + cacheWrite,
    completionTokens: usage.output_tokens,
    ...(cacheRead > 0 ? { cachedPromptTokens: cacheRead } : {}),
  };
}

export function mapStopReason(reason: string | null | undefined): FinishReasonV1 {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** The text cut before the first of `stops`, and whether a cut happened. */
export function cutAtStops(text: string, stops: readonly string[]): { text: string; cut: boolean } {
  let end = -1;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && (end < 0 || index < end)) end = index;
  }
  return end < 0 ? { text, cut: false } : { text: text.slice(0, end), cut: true };
}
