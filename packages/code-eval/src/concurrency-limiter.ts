/** Bounds concurrent sandbox executions to the sandbox's declared `concurrency`, shared by every caller. */
const limiters = new WeakMap<object, Limiter>();

class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly capacity: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A released slot passes straight to the next waiter, so a newcomer cannot slip in between.
    if (this.active >= this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next();
    }
  }
}

/** The limiter of one sandbox instance. */
export function limiterFor(sandbox: { concurrency: number }): Limiter {
  let limiter = limiters.get(sandbox);
  if (limiter === undefined) {
    limiter = new Limiter(Math.max(1, sandbox.concurrency));
    limiters.set(sandbox, limiter);
  }
  return limiter;
}
