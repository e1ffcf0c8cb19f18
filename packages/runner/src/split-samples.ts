import {
  type BenchmarkV1,
  ConfigurationError,
  describeError,
  type LoggerV1,
  type SamplePlanV1,
  type SampleRecordV1,
  type SampleResponsesV1,
  type SampleSourceV1,
  type SampleV1,
  type TurnResponseV1,
  type WarningV1,
} from '@evalchemy/core';
import { buildSampleRecord, countWarning } from './sample-record.js';

export interface ReuniteContext {
  benchmark: () => Promise<BenchmarkV1<unknown, unknown>>;
  /** The task's samples as the run loaded them; read only to score. */
  source: () => Promise<SampleSourceV1>;
  /** The task's options, as its results record them. */
  options: unknown;
  /** A predict-only run: the generations are reunited, not scored. */
  predictOnly: boolean;
  log: LoggerV1;
}

export interface Reunited {
  /** Every record of the task in index order, each split sample now one record, as a single process writes it. */
  records: SampleRecordV1[];
  /** The scorer's warnings on the samples scored here, counted as the results' `warnings` count them. */
  warnings: Record<string, number>;
  /** How many samples were reunited. */
  count: number;
}

type SplitRecord = SampleRecordV1 & { split: NonNullable<SampleRecordV1['split']> };

/**
 * Reunites the samples a sharded run split by generation (`split` records, see `partsOf`): the parts of
 * each, from every shard, become the record a single process writes, with its generations in order, scored
 * as the runner scores a sample (no judge or sandbox: such samples are never split). A sample with a failed
 * part is failed, as a single process fails a sample whose request failed. `records` are in index order.
 */
export async function reuniteSplitSamples(
  task: string,
  records: readonly SampleRecordV1[],
  context: ReuniteContext,
): Promise<Reunited> {
  const parts = new Map<number, SplitRecord[]>();
  for (const record of records) {
    if (record.split === undefined) continue;
    const same = parts.get(record.index) ?? [];
    same.push(record as SplitRecord);
    parts.set(record.index, same);
  }
  const samples = await samplesToScore(task, parts, context);
  const warnings: Record<string, number> = {};
  const reunited = new Map<number, SampleRecordV1>();
  for (const [index, pieces] of parts) {
    reunited.set(index, await reunite(task, pieces, samples, context, warnings));
  }
  const merged: SampleRecordV1[] = [];
  for (const record of records) {
    if (record.split === undefined) merged.push(record);
    else if (reunited.has(record.index)) {
      merged.push(reunited.get(record.index)!);
      reunited.delete(record.index);
    }
  }
  return { records: merged, warnings, count: parts.size };
}

/** The samples whose parts all succeeded, by id, from the task's data (when scoring). */
async function samplesToScore(
  task: string,
  parts: ReadonlyMap<number, SplitRecord[]>,
  context: ReuniteContext,
): Promise<Map<string, SampleV1>> {
  const wanted = new Set(
    [...parts.values()]
      .filter((pieces) => pieces.every((piece) => piece.error === undefined))
      .map((pieces) => pieces[0]!.sample_id),
  );
  const found = new Map<string, SampleV1>();
  if (context.predictOnly || wanted.size === 0) return found;
  for await (const sample of (await context.source()).samples) {
    if (wanted.has(sample.id) && !found.has(sample.id)) found.set(sample.id, sample);
    if (found.size === wanted.size) break;
  }
  const missing = [...wanted].filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Task ${task}: the shards split the generations of sample ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}, ` +
        "which the task's data here does not have: merge where the shards' datasets are (the same EVALCHEMY_DATASETS_DIR or Hub cache).",
    );
  }
  return found;
}

async function reunite(
  task: string,
  pieces: readonly SplitRecord[],
  samples: ReadonlyMap<string, SampleV1>,
  context: ReuniteContext,
  warnings: Record<string, number>,
): Promise<SampleRecordV1> {
  const first = pieces[0]!;
  const plan = first.split.plan as SamplePlanV1;
  const count = plan.type === 'loglikelihood' ? 1 : (plan.generations ?? 1);
  const held = pieces.flatMap((piece) => piece.split.generations).sort((left, right) => left - right);
  if (held.length !== count || held.some((generation, position) => generation !== position)) {
    throw new ConfigurationError(
      `Task ${task}: sample ${first.sample_id} asks for ${count} generations, but the shards' samples files hold ` +
        `generations ${held.join(', ') || 'none'} of it. A samples file was changed or comes from another run: run the shards again.`,
    );
  }
  const { split: _split, responses: _responses, ...base } = first;
  const failed = pieces.find((piece) => piece.error !== undefined);
  if (failed !== undefined) return { ...base, error: failed.error! };

  const generations: TurnResponseV1[][] = new Array(count);
  for (const piece of pieces) {
    piece.split.generations.forEach((generation, position) => {
      const turns = (piece.responses?.[position] ?? []) as {
        text: string;
        finish_reason: TurnResponseV1['finishReason'];
        usage: TurnResponseV1['usage'] | null;
      }[];
      // The generation's warnings ride on its first turn: their order over the sample is the same.
      generations[generation] = turns.map((turn, index) => ({
        text: turn.text,
        finishReason: turn.finish_reason,
        ...(turn.usage ? { usage: turn.usage } : {}),
        warnings: index === 0 ? ((piece.split.warnings[position] ?? []) as WarningV1[]) : [],
      }));
    });
  }
  const responses: SampleResponsesV1 = { type: 'generate', generations };
  const sample = samples.get(first.sample_id) ?? {
    id: first.sample_id,
    data: undefined,
    metadata: first.metadata,
  };
  if (context.predictOnly) return buildSampleRecord(task, sample, first.index, plan, { responses });
  const benchmark = await context.benchmark();
  try {
    const score = await benchmark.doScore(sample, responses, {
      options: context.options,
      plan,
      judges: {},
      signal: new AbortController().signal,
      log: context.log,
    });
    for (const warning of score.warnings ?? []) countWarning(warnings, warning);
    return buildSampleRecord(task, sample, first.index, plan, { responses, score, judgeWarnings: [] });
  } catch (error) {
    return buildSampleRecord(task, sample, first.index, plan, {
      responses,
      error: `scoring failed: ${describeError(error)}`,
    });
  }
}
