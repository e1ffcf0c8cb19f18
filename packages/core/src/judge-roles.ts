import type { BenchmarkV1 } from './v1/benchmark.js';
import type { JudgeRoleV1 } from './v1/judge.js';

/** The judge roles of a task: the benchmark's `judgesFor(options)`, else its `requirements.judges`. */
export function judgeRolesOf<Options>(
  benchmark: BenchmarkV1<unknown, Options>,
  options: Options,
): Record<string, JudgeRoleV1> {
  return benchmark.judgesFor?.(options) ?? benchmark.requirements.judges ?? {};
}
