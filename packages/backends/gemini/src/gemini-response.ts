import type { FinishReasonV1, TokenLogprobV1, TokenUsageV1 } from '@evalchemy/core';
import { z } from 'zod';

const logprobCandidateSchema = z.object({
  token: z.string().default(''),
  logProbability: z.number().default(0),
});

const candidateSchema = z.object({
  content: z
    .object({
      parts: z
        .array(z.object({ text: z.string().nullish(), thought: z.boolean().nullish() }).loose())
        .nullish(),
    })
    .nullish(),
  finishReason: z.string().nullish(),
  logprobsResult: z
    .object({
      chosenCandidates: z.array(logprobCandidateSchema).nullish(),
      topCandidates: z.array(z.object({ candidates: z.array(logprobCandidateSchema).nullish() })).nullish(),
    })
    .nullish(),
});

/** A `generateContent` answer, as far as the backend reads it. */
export const generateContentResponseSchema = z.object({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z
    .object({ blockReason: z.string().nullish(), blockReasonMessage: z.string().nullish() })
    .nullish(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().nullish(),
      candidatesTokenCount: z.number().nullish(),
      thoughtsTokenCount: z.number().nullish(),
      cachedContentTokenCount: z.number().nullish(),
    })
    .nullish(),
});

export type GenerateContentAnswer = z.output<typeof generateContentResponseSchema>;
export type GenerateContentCandidate = z.output<typeof candidateSchema>;

/** The candidate's answer: its text parts in order, without the thought summaries of thinking models. */
export function answerTextOf(candidate: GenerateContentCandidate): string {
  return (candidate.content?.parts ?? [])
    .filter((part) => part.thought !== true && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

export function mapFinishReason(reason: string | null | undefined): FinishReasonV1 {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && contentFilterReasons.has(reason)) return 'content-filter';
  return 'other';
}

/**
 * Token counts of `usageMetadata`. Thinking tokens (`thoughtsTokenCount`) are billed as output, so they are
 * counted as completion tokens; `cachedContentTokenCount` is the part of the prompt served from the cache.
 */
export function usageOf(answer: GenerateContentAnswer): TokenUsageV1 | undefined {
  const usage = answer.usageMetadata;
  if (!usage || (usage.promptTokenCount == null && usage.candidatesTokenCount == null)) return undefined;
  return {
    promptTokens: usage.promptTokenCount ?? 0,
    completionTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    ...(usage.cachedContentTokenCount ? { cachedPromptTokens: usage.cachedContentTokenCount } : {}),
  };
}

/** Per-token log-probabilities of `logprobsResult`, alternatives most likely first; undefined when absent. */
export function logprobsOf(candidate: GenerateContentCandidate): TokenLogprobV1[] | undefined {
  const chosen = candidate.logprobsResult?.chosenCandidates;
  if (!chosen || chosen.length === 0) return undefined;
  const top = candidate.logprobsResult?.topCandidates ?? [];
  return chosen.map((token, index) => ({
    token: token.token,
    logprob: token.logProbability,
    topLogprobs: (top[index]?.candidates ?? [])
      .map((alternative) => ({ token: alternative.token, logprob: alternative.logProbability }))
      .sort((a, b) => b.logprob - a.logprob),
  }));
}

/** google.rpc.RetryInfo's `retryDelay` (a protobuf Duration in JSON: `"7s"`, `"0.5s"`) of an error body, in ms. */
export function retryDelayMsOf(errorBody: unknown): number | undefined {
  const parsed = errorBodySchema.safeParse(errorBody);
  if (!parsed.success) return undefined;
  for (const detail of parsed.data.error.details ?? []) {
    if (!detail['@type']?.endsWith('google.rpc.RetryInfo')) continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay ?? '');
    if (match) return Number(match[1]) * 1000;
  }
  return undefined;
}

/** Google's error shape: `{ error: { code, message, status, details } }`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z
      .array(
        z
          .object({
            '@type': z.string().nullish(),
            retryDelay: z.string().nullish(),
            reason: z.string().nullish(),
          })
          .loose(),
      )
      .nullish(),
  }),
});
