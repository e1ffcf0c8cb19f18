import pLimit, { type LimitFunction } from 'p-limit';

/** Bounds concurrent sandbox executions to the sandbox's declared `concurrency`, shared by every caller. */
const limiters = new WeakMap<object, LimitFunction>();

/** The limiter of one sandbox instance (first in, first served). */
export function limiterFor(sandbox: { concurrency: number }): LimitFunction {
  let limiter = limiters.get(sandbox);
  if (limiter === undefined) {
    limiter = pLimit(Math.max(1, sandbox.concurrency));
    limiters.set(sandbox, limiter);
  }
  return limiter;
}
