import type { SampleSourceV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { limitSamples } from './sample-limit.js';

/** A source of `sizes.reduce(+)` samples named by position, grouped into subtasks of these sizes when asked. */
function source(sizes: number[], grouped = true): SampleSourceV1 {
  const size = sizes.reduce((sum, count) => sum + count, 0);
  return {
    size,
    samples: Array.from({ length: size }, (_, index) => ({ id: `s${index}`, data: index })),
    ...(grouped ? { subtaskSizes: sizes } : {}),
  };
}

async function positions(limited: ReturnType<typeof limitSamples>): Promise<number[]> {
  const seen: number[] = [];
  for await (const { sample, index } of limited.samples) {
    expect(sample.id).toBe(`s${index}`);
    seen.push(index);
  }
  expect(seen).toHaveLength(limited.count);
  return seen;
}

describe('limitSamples', () => {
  it('takes the first samples of a task without subtasks, and all of them without a limit', async () => {
    expect(await positions(limitSamples(source([3, 1, 4], false), 2))).toEqual([0, 1]);
    expect(await positions(limitSamples(source([3, 1, 4], false), undefined))).toHaveLength(8);
  });

  it('takes the first samples of each subtask, as lm-eval limits each task of a group', async () => {
    expect(await positions(limitSamples(source([3, 1, 4]), 2))).toEqual([0, 1, 3, 4, 5]);
    expect(await positions(limitSamples(source([3, 0, 4]), 1))).toEqual([0, 3]);
    expect(await positions(limitSamples(source([3, 1, 4]), 100))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('takes a fractional limit as a share of each subtask, rounded up', async () => {
    // ceil(3 × 0.5) = 2, ceil(1 × 0.5) = 1, ceil(4 × 0.5) = 2.
    expect(await positions(limitSamples(source([3, 1, 4]), 0.5))).toEqual([0, 1, 3, 4, 5]);
  });

  it('says a package whose subtask sizes do not add up is defective', () => {
    expect(() => limitSamples({ ...source([3, 1]), subtaskSizes: [3, 2] }, 1)).toThrow(
      /subtask sizes \(3 \+ 2 = 5\) do not add up to its 4 samples/,
    );
  });
});
