import type { LoglikelihoodResultV1, WarningV1 } from '@evalchemy/core';
import { z } from 'zod';

/** The legacy completions `logprobs` object of one choice, as returned with `echo: true`. */
export const completionLogprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullish(),
  text_offset: z.array(z.number()).nullish(),
});

export type CompletionLogprobs = z.output<typeof completionLogprobsSchema>;

/**
 * Moves trailing whitespace of the context to the front of the continuation, as lm-evaluation-harness does
 * before tokenising, so that the boundary falls before the space-prefixed token of the continuation.
 */
export function splitAtWord(
  context: string,
  continuation: string,
): { context: string; continuation: string } {
  const trimmed = context.trimEnd();
  if (trimmed.length === context.length) return { context, continuation };
  return { context: trimmed, continuation: context.slice(trimmed.length) + continuation };
}

/**
 * Sums the log-probabilities of the continuation's tokens in an echoed prompt and checks that each was the
 * model's top choice, as lm-evaluation-harness's `local-completions` does. Tokens are assigned to the
 * continuation by character offset: every token ending after the context belongs to it, and tokens starting
 * at or after the end of the prompt (one a server generated despite `max_tokens: 0`) are left out.
 */
export function continuationLoglikelihood(
  logprobs: CompletionLogprobs,
  contextLength: number,
  promptLength: number,
): LoglikelihoodResultV1 | { error: string } {
  const warnings: WarningV1[] = [];
  const offsets = logprobs.text_offset ?? cumulativeOffsets(logprobs.tokens);
  let logprob = 0;
  let isGreedy = true;
  for (let index = 0; index < logprobs.tokens.length; index++) {
    const token = logprobs.tokens[index] ?? '';
    const start = offsets[index] ?? 0;
    if (start >= promptLength) break;
    if (start + token.length <= contextLength) continue;
    if (start < contextLength) {
      warnings.push({
        type: 'other',
        message: `A token (${JSON.stringify(token)}) spans the end of the context; it is counted in the continuation.`,
      });
    }
    const tokenLogprob = logprobs.token_logprobs[index];
    if (tokenLogprob === null || tokenLogprob === undefined) {
      return {
        error: `the server gave no logprob for continuation token ${index} (${JSON.stringify(token)})`,
      };
    }
    logprob += tokenLogprob;
    const top = logprobs.top_logprobs?.[index];
    if (top === undefined || top === null) {
      if (isGreedy)
        warnings.push({ type: 'other', message: 'The server returned no top_logprobs: isGreedy is false.' });
      isGreedy = false;
    } else if (tokenLogprob < Math.max(...Object.values(top))) {
      isGreedy = false;
    }
  }
  return { logprob, isGreedy, warnings };
}

function cumulativeOffsets(tokens: string[]): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const token of tokens) {
    offsets.push(offset);
    offset += token.length;
  }
  return offsets;
}
