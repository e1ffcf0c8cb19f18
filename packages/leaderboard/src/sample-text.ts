import type { SampleRecordV1 } from '@evalchemy/core';

/** A sample's prompt as text: a completion prompt, a chat's system message and turns, a loglikelihood context. */
export function promptText(record: SampleRecordV1): string {
  const prompt = record.prompt;
  switch (prompt.type) {
    case 'completion':
      return prompt.prompt;
    case 'chat':
      return [prompt.system, ...prompt.turns].filter((part): part is string => part !== null).join('\n\n');
    case 'loglikelihood':
      return prompt.context;
  }
}

/**
 * A sample's answer as text: the first generation's turns, or the continuation with the highest
 * log-probability; null when there are no responses (the backend failed).
 */
export function answerText(record: SampleRecordV1): string | null {
  const responses = record.responses;
  if (responses === undefined || responses.length === 0) return null;
  const first = responses[0];
  if (Array.isArray(first)) return first.map((turn) => turn.text).join('\n\n');
  if (record.prompt.type !== 'loglikelihood') return null;
  let best = -1;
  let bestLogprob = Number.NEGATIVE_INFINITY;
  responses.forEach((response, index) => {
    if (!Array.isArray(response) && response.logprob > bestLogprob) {
      best = index;
      bestLogprob = response.logprob;
    }
  });
  return best === -1 ? null : (record.prompt.continuations[best] ?? null);
}
