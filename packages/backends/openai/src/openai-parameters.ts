import type { GenerationParametersV1, WarningV1 } from '@evalchemy/core';

/** The most stop strings api.openai.com accepts. */
const openAIStopLimit = 4;
/** The most alternatives per token api.openai.com returns: 20 on chat, 5 on the legacy completions endpoint. */
export const openAITopLogprobsLimit = { chat: 20, completion: 5 } as const;

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
  /** The endpoint the request goes to: `chat` (/chat/completions) or `completion` (legacy /completions). */
  requestType: 'chat' | 'completion';
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
  if (parameters.topLogprobs !== undefined) {
    if (target.requestType === 'chat') {
      body.logprobs = true;
      body.top_logprobs = parameters.topLogprobs;
    } else {
      // The legacy endpoint's `logprobs` is the number of alternatives; the chosen token's logprob comes with it.
      let top = parameters.topLogprobs;
      if (isOpenAIHost(target.baseUrl) && top > openAITopLogprobsLimit.completion) {
        warnings.push({
          type: 'unsupported-setting',
          setting: 'topLogprobs',
          message: `api.openai.com's completions endpoint returns at most ${openAITopLogprobsLimit.completion} alternatives per token; ${top} were asked, ${openAITopLogprobsLimit.completion} are returned.`,
        });
        top = openAITopLogprobsLimit.completion;
      }
      body.logprobs = top;
    }
  }
  if (parameters.responseFormat === 'json') {
    if (target.requestType === 'chat') body.response_format = { type: 'json_object' };
    else {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'responseFormat',
        message:
          'The completions endpoint has no JSON mode; the answer was not constrained to JSON. Use api=chat for JSON output.',
      });
    }
  }
  return { body, warnings };
}
