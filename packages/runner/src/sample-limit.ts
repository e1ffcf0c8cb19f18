import { ConfigurationError, type SampleSourceV1, type SampleV1 } from '@evalchemy/core';
import { effectiveSampleCount } from './run-settings.js';

/** The samples of a task that a run takes, with their positions in the task, and how many there are. */
export interface LimitedSamples {
  count: number;
  samples: AsyncGenerator<{ sample: SampleV1; index: number }>;
}

/**
 * The samples a task runs under the requested limit (`--limit` or `--debug`'s size; none: all of them): the
 * first ones of the task, or, for a task of subtasks (`source.subtaskSizes`), the first ones of each subtask,
 * as lm-evaluation-harness limits each task of a group. A fractional limit is a share of each, rounded up.
 */
export function limitSamples(source: SampleSourceV1, requested: number | undefined): LimitedSamples {
  const subtasks = source.subtaskSizes ?? [source.size];
  const subtaskTotal = subtasks.reduce((sum, size) => sum + size, 0);
  if (subtaskTotal !== source.size) {
    throw new ConfigurationError(
      `The task's subtask sizes (${subtasks.join(' + ')} = ${subtaskTotal}) do not add up to its ${source.size} samples: a defect of the benchmark package.`,
    );
  }
  // [first position, end] of the samples kept of each subtask.
  const kept: [number, number][] = [];
  let start = 0;
  for (const size of subtasks) {
    kept.push([start, start + effectiveSampleCount(requested, size)]);
    start += size;
  }
  return {
    count: kept.reduce((sum, [first, end]) => sum + end - first, 0),
    samples: keptSamples(source.samples, kept),
  };
}

async function* keptSamples(
  samples: AsyncIterable<SampleV1> | Iterable<SampleV1>,
  kept: readonly [number, number][],
): AsyncGenerator<{ sample: SampleV1; index: number }> {
  const end = Math.max(0, ...kept.filter(([first, stop]) => stop > first).map(([, stop]) => stop));
  let index = 0;
  for await (const sample of samples) {
    if (index >= end) return;
    if (kept.some(([first, stop]) => index >= first && index < stop)) yield { sample, index };
    index += 1;
  }
}
