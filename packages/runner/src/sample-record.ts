import type { SamplePlanV1, SampleResponsesV1, WarningV1 } from '@evalchemy/core';

/** One line of a samples file, as the runner writes it. */
export type SampleRecordLine = Record<string, unknown>;

/** Every warning the backend gave for the responses of one sample. */
export function warningsOf(responses: SampleResponsesV1): WarningV1[] {
  if (responses.type === 'loglikelihood') return responses.results.flatMap((result) => result.warnings);
  return responses.generations.flat().flatMap((turn) => turn.warnings);
}

/** Counts a warning under `type` or `type:setting` (the results file's `warnings`). */
export function countWarning(counts: Record<string, number>, warning: WarningV1): void {
  const key = warning.setting ? `${warning.type}:${warning.setting}` : warning.type;
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The prompt of a sample record: what was asked, after the user's overrides. */
export function describePlan(plan: SamplePlanV1): unknown {
  if (plan.type === 'loglikelihood')
    return { type: plan.type, context: plan.context, continuations: plan.continuations };
  if (plan.type === 'completion')
    return { type: plan.type, prompt: plan.prompt, parameters: plan.parameters };
  return {
    type: plan.type,
    system: plan.system ?? null,
    history_messages: plan.history?.length ?? 0,
    turns: plan.turns,
    parameters: plan.parameters,
    generations: plan.generations ?? 1,
  };
}

/** The responses of a sample record. */
export function describeResponses(responses: SampleResponsesV1): unknown {
  if (responses.type === 'loglikelihood') {
    return responses.results.map((result) => ({ logprob: result.logprob, is_greedy: result.isGreedy }));
  }
  return responses.generations.map((turns) =>
    turns.map((turn) => ({ text: turn.text, finish_reason: turn.finishReason, usage: turn.usage ?? null })),
  );
}
