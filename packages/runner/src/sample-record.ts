import type {
  SamplePlanV1,
  SampleRecordV1,
  SampleResponsesV1,
  SampleScoreV1,
  SampleV1,
  WarningV1,
} from '@evalchemy/core';

/** How far a sample got: its responses (absent when the backend failed), its score, and why it failed. */
export interface SampleResult {
  responses?: SampleResponsesV1;
  score?: SampleScoreV1;
  /** Warnings the judges' answers carried (a judge backend that did not honour a setting). */
  judgeWarnings?: WarningV1[];
  error?: string;
}

/** The samples-file line of one sample (`sampleRecordSchema`). */
export function buildSampleRecord(
  task: string,
  sample: SampleV1,
  index: number,
  plan: SamplePlanV1,
  { responses, score, judgeWarnings, error }: SampleResult,
): SampleRecordV1 {
  return {
    task,
    sample_id: sample.id,
    index,
    metadata: sample.metadata ?? {},
    prompt: describePlan(plan),
    ...(responses !== undefined ? { responses: describeResponses(responses) } : {}),
    ...(responses !== undefined && score !== undefined
      ? {
          extracted: score.extracted ?? null,
          metrics: finiteOrNull(score.metrics),
          details: score.details ?? null,
          warnings: [...warningsOf(responses), ...(judgeWarnings ?? []), ...(score.warnings ?? [])],
          ...(score.judgeAudit !== undefined ? { judge_audit: describeJudgeAudit(score.judgeAudit) } : {}),
        }
      : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

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

/** Metric values as JSON keeps them: NaN and infinities (a one-sample stderr) are written as null. */
export function finiteOrNull(metrics: Record<string, number | null>): Record<string, number | null> {
  const finite: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(metrics))
    finite[name] = value !== null && Number.isFinite(value) ? value : null;
  return finite;
}

/** The prompt of a sample record: what was asked, after the user's overrides. */
function describePlan(plan: SamplePlanV1): SampleRecordV1['prompt'] {
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

function describeResponses(responses: SampleResponsesV1): SampleRecordV1['responses'] {
  if (responses.type === 'loglikelihood') {
    return responses.results.map((result) => ({ logprob: result.logprob, is_greedy: result.isGreedy }));
  }
  return responses.generations.map((turns) =>
    turns.map((turn) => ({ text: turn.text, finish_reason: turn.finishReason, usage: turn.usage ?? null })),
  );
}

function describeJudgeAudit(audit: NonNullable<SampleScoreV1['judgeAudit']>): SampleRecordV1['judge_audit'] {
  return Object.fromEntries(
    Object.entries(audit).map(([role, counts]) => [
      role,
      {
        verdicts: counts.verdicts,
        unparsable: counts.unparsable,
        ...(counts.swappedPairs !== undefined ? { swapped_pairs: counts.swappedPairs } : {}),
        ...(counts.consistentPairs !== undefined ? { consistent_pairs: counts.consistentPairs } : {}),
      },
    ]),
  );
}
