import type { GenerationParametersV1, WarningV1 } from '@evalchemy/core';

/** The most stop strings api.openai.com accepts. */
const openAIStopLimit = 4;

/** OpenAI reasoning models accept neither temperature nor top_p, and want `max_completion_tokens`. */
export function isReasoningModel(model: string): boolean {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return /^(o1|o3|o4|gpt-5)([-.]|$)/.test(name);
}

export function isOpenAIHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

export interface ParameterTarget {
  model: string;
  baseUrl: string;
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
}

/** Request-body fields for evalchemy's generation parameters, and what could not be honoured. */
export function normaliseParameters(
  parameters: GenerationParametersV1,
  target: ParameterTarget,
): { body: Record<string, unknown>; warnings: WarningV1[] } {
  const body: Record<string, unknown> = {};
  const warnings: WarningV1[] = [];
  const reasoning = isReasoningModel(target.model);
  if (parameters.maxTokens !== undefined) body[target.maxTokensParameter] = parameters.maxTokens;
  for (const [setting, field] of [
    ['temperature', 'temperature'],
    ['topP', 'top_p'],
  ] as const) {
    const value = parameters[setting];
    if (value === undefined) continue;
    if (reasoning) {
      warnings.push({
        type: 'unsupported-setting',
        setting,
        message: `${target.model} is an OpenAI reasoning model, which does not accept ${field}; ${field}=${value} was not sent.`,
      });
    } else {
      body[field] = value;
    }
  }
  if (parameters.stop !== undefined && parameters.stop.length > 0) {
    let stop = parameters.stop;
    if (isOpenAIHost(target.baseUrl) && stop.length > openAIStopLimit) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'stop',
        message: `api.openai.com accepts at most ${openAIStopLimit} stop strings; only the first ${openAIStopLimit} of ${stop.length} were sent.`,
      });
      stop = stop.slice(0, openAIStopLimit);
    }
    body.stop = stop;
  }
  if (parameters.seed !== undefined) body.seed = parameters.seed;
  return { body, warnings };
}
