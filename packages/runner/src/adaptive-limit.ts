import { BackendCallError, describeError, type RateLimitRecordV1 } from '@evalchemy/core';

/** What a backend's scheduler did during a run: an entry of the results file's `rate_limits`. */
export interface RateLimitFacts {
  /** Concurrency the run allowed (`--concurrency`, capped by the backend's `maxConcurrency`). */
  configuredConcurrency: number;
  /** Lowest concurrency the scheduler went down to. */
  lowestConcurrency: number;
  /** Concurrency when the run ended. */
  finalConcurrency: number;
  /** Answers refused for the server's rate limit (429, 529), each sent again. */
  rateLimited: number;
  /** Times the concurrency was lowered (at most once per round of requests). */
  decreases: number;
  /** Requests given up after being refused for too long (failed samples). */
  gaveUp: number;
  /** Wall time, in milliseconds, during which a ready request was held back by `retry-after` or a per-minute limit. */
  waitedMs: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** A rate-limit refusal that lowered the concurrency (or found it at 1 already), for a progress line. */
export interface ConcurrencyChange {
  previous: number;
  concurrency: number;
  /** How long no request starts, in milliseconds (the server's `retry-after`, or the default backoff). */
  waitMs: number;
}

export interface AdaptiveLimitSettings {
  /** Concurrency to start at and never exceed. */
  concurrency: number;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  /** Called when the concurrency is lowered. */
  onDecrease?: (change: ConcurrencyChange) => void;
  /** Give up on a request refused for longer than this since its first refusal. Default 10 minutes. */
  giveUpAfterMs?: number;
  /** Give up on a request refused this many times. Default 100. */
  maxAttempts?: number;
  /** Length of the per-minute windows (tests shorten it). Default 60 000. */
  windowMs?: number;
}

/** How the scheduler lowers the concurrency on a refusal: `limit × decreaseFactor` (BENCHMARKS.md, rate limits). */
export const decreaseFactor = 0.75;
/**
 * Rounds of successes per step at and above the concurrency last refused: 8, doubled (up to 64) each time the
 * server refuses that level again; once that level has held for its rounds, it is forgotten.
 */
const probeRounds = 8;
const maxProbeRounds = 64;
/** Wait after a refusal without `retry-after`: 1 s doubling per refusal in a row, up to 32 s. */
const defaultBackoffMs = 1000;
const maxBackoffMs = 32_000;

interface Waiter {
  tokens: number;
  resolve(ticket: Ticket): void;
  reject(reason: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

interface Ticket {
  /** Order of starting: refusals of requests started before the last decrease do not lower it again. */
  sequence: number;
  tokens: number;
}

/**
 * A backend's request scheduler: additive increase, multiplicative decrease of its concurrency on rate-limit
 * refusals (`BackendCallError.rateLimited`), `retry-after` honoured for every new start, and optional
 * requests-per-minute and tokens-per-minute budgets. A refused request is sent again, ahead of new ones.
 */
export class AdaptiveLimit {
  readonly #bound: number;
  readonly #settings: AdaptiveLimitSettings;
  readonly #windowMs: number;
  #limit: number;
  #active = 0;
  #started = 0;
  /** Starts before this sequence number belong to the round that was already punished. */
  #roundStart = 0;
  #successes = 0;
  #pausedUntil = 0;
  #refusalsInRow = 0;
  /** The concurrency at which the server last refused; stepping to it or beyond is slower. */
  #ceiling = Infinity;
  #probeRounds = probeRounds;
  #nextStartAt = 0;
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Tokens of the per-minute window: finished requests' usage, and in-flight estimates. */
  readonly #spent: { at: number; tokens: number }[] = [];
  #inFlightTokens = 0;
  #heldSince: number | undefined;
  readonly facts: RateLimitFacts;

  constructor(settings: AdaptiveLimitSettings) {
    this.#settings = settings;
    this.#bound = Math.max(1, Math.floor(settings.concurrency));
    this.#limit = this.#bound;
    this.#windowMs = settings.windowMs ?? 60_000;
    this.facts = {
      configuredConcurrency: this.#bound,
      lowestConcurrency: this.#bound,
      finalConcurrency: this.#bound,
      rateLimited: 0,
      decreases: 0,
      gaveUp: 0,
      waitedMs: 0,
      ...(settings.requestsPerMinute !== undefined ? { requestsPerMinute: settings.requestsPerMinute } : {}),
      ...(settings.tokensPerMinute !== undefined ? { tokensPerMinute: settings.tokensPerMinute } : {}),
    };
  }

  /** Current concurrency. */
  get concurrency(): number {
    return this.#limit;
  }

  /** True while fewer calls are running than the limit allows and nothing is held back. */
  hasIdleSlot(): boolean {
    return this.#active < this.#limit && this.#queue.length === 0;
  }

  /**
   * Runs `call` when the limits allow, sending it again while the server refuses it for its rate limit.
   * `tokens` is the request's estimated size for `tokens_per_minute`; `usageOf` its actual size once answered.
   */
  async run<Result>(
    call: () => Promise<Result>,
    options: { signal: AbortSignal; tokens: number; usageOf: (result: Result) => number | undefined },
  ): Promise<Result> {
    const giveUpAfterMs = this.#settings.giveUpAfterMs ?? 10 * 60_000;
    const maxAttempts = this.#settings.maxAttempts ?? 100;
    let firstRefusalAt: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const ticket = await this.#acquire(options.tokens, options.signal, attempt > 1);
      let result: Result;
      try {
        options.signal.throwIfAborted();
        result = await call();
      } catch (error) {
        if (!BackendCallError.isInstance(error) || !error.rateLimited || options.signal.aborted) {
          this.#release(ticket, ticket.tokens);
          throw error;
        }
        this.facts.rateLimited += 1;
        // The pause is set before the slot is given back: no waiting request may start in between.
        this.#refused(ticket, error.retryAfterMs);
        this.#release(ticket, ticket.tokens);
        firstRefusalAt ??= performance.now();
        const refusedForMs = performance.now() - firstRefusalAt;
        if (attempt >= maxAttempts || refusedForMs >= giveUpAfterMs) {
          this.facts.gaveUp += 1;
          throw new BackendCallError(
            `Gave up after the server refused this request for its rate limit ${attempt} times over ` +
              `${Math.round(refusedForMs / 1000)} s (the scheduler lowered the concurrency to ${this.#limit}). ` +
              "Set requests_per_minute or tokens_per_minute in --model_args to your key's limits, or lower " +
              `--concurrency. Last answer: ${describeError(error)}`,
            { statusCode: error.statusCode, isRetryable: false, rateLimited: false, cause: error },
          );
        }
        continue;
      }
      this.#release(ticket, options.usageOf(result) ?? ticket.tokens);
      this.#succeeded();
      return result;
    }
  }

  #acquire(tokens: number, signal: AbortSignal, retry: boolean): Promise<Ticket> {
    signal.throwIfAborted();
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.#queue.indexOf(waiter);
          if (at >= 0) this.#queue.splice(at, 1);
          reject(signal.reason);
          this.#pump();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      // A refused request goes first: it has waited longest.
      if (retry) this.#queue.unshift(waiter);
      else this.#queue.push(waiter);
      this.#pump();
    });
  }

  #release(ticket: Ticket, tokens: number): void {
    this.#active -= 1;
    this.#inFlightTokens -= ticket.tokens;
    if (this.#settings.tokensPerMinute !== undefined && tokens > 0) {
      this.#spent.push({ at: performance.now(), tokens });
    }
    this.#pump();
  }

  #succeeded(): void {
    this.#refusalsInRow = 0;
    if (this.#limit >= this.#bound) return;
    this.#successes += 1;
    // Below the level last refused, one step per round of successes; at it and above, one per
    // `probeRounds` rounds: the server said no there, so asking again every round would be refused every round.
    const rounds = this.#limit + 1 >= this.#ceiling ? this.#probeRounds : 1;
    if (this.#successes >= this.#limit * rounds) {
      this.#successes = 0;
      // The level refused before held for its rounds: whatever refused there is gone (a quota, not a limit).
      if (this.#limit >= this.#ceiling) {
        this.#ceiling = Infinity;
        this.#probeRounds = probeRounds;
      }
      this.#limit += 1;
      this.facts.finalConcurrency = this.#limit;
      this.#pump();
    }
  }

  #refused(ticket: Ticket, retryAfterMs: number | undefined): void {
    this.#refusalsInRow += 1;
    const now = performance.now();
    let waitMs: number;
    if (retryAfterMs !== undefined) {
      // Never before the server's time; a little later, so that clients told the same time do not return together.
      waitMs = retryAfterMs * (1 + Math.random() * 0.1);
    } else {
      const backoff = Math.min(defaultBackoffMs * 2 ** (this.#refusalsInRow - 1), maxBackoffMs);
      waitMs = backoff * (1 + Math.random() * 0.25);
    }
    this.#pausedUntil = Math.max(this.#pausedUntil, now + waitMs);
    const previous = this.#limit;
    // The requests still in flight are what the server admitted so far: never more than that, so that the
    // first round at 64 against a server admitting 8 ends at 8 rather than after many halvings.
    let limit = Math.max(1, Math.min(previous, this.#active - 1));
    const newRound = ticket.sequence >= this.#roundStart;
    // The server refused one more than it is answering: that level is the one to probe rarely.
    if (!newRound && limit < previous) this.#ceiling = Math.min(this.#ceiling, limit + 1);
    if (newRound) {
      limit = Math.max(1, Math.min(limit, Math.floor(previous * decreaseFactor)));
      // Refused again at the level refused before: the limit is real, so ask less often.
      if (previous >= this.#ceiling) this.#probeRounds = Math.min(this.#probeRounds * 2, maxProbeRounds);
      this.#ceiling = previous;
      this.#roundStart = this.#started;
      this.facts.decreases += 1;
    }
    if (limit !== previous) {
      this.#limit = limit;
      this.#successes = 0;
      this.facts.finalConcurrency = limit;
      this.facts.lowestConcurrency = Math.min(this.facts.lowestConcurrency, limit);
    }
    // Once per round, even at a concurrency of 1 that cannot go lower: the user learns why the run waits.
    if (newRound) this.#settings.onDecrease?.({ previous, concurrency: limit, waitMs: Math.round(waitMs) });
  }

  /** Starts as many waiting requests as the limits allow; otherwise sets a timer for when one may start. */
  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0 && this.#active < this.#limit) {
      const now = performance.now();
      const waiter = this.#queue[0]!;
      const openAt = this.#openAt(waiter.tokens, now);
      if (openAt === 'on-release') {
        this.#holdFrom(now);
        return;
      }
      if (openAt > now) {
        this.#holdFrom(now);
        // Timers may fire a fraction of a millisecond early: round up.
        this.#timer = setTimeout(() => this.#pump(), Math.ceil(openAt - now) + 1);
        return;
      }
      if (this.#heldSince !== undefined) {
        this.facts.waitedMs += now - this.#heldSince;
        this.#heldSince = undefined;
      }
      this.#queue.shift();
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.#active += 1;
      this.#inFlightTokens += waiter.tokens;
      const rpm = this.#settings.requestsPerMinute;
      if (rpm !== undefined) this.#nextStartAt = Math.max(now, this.#nextStartAt) + this.#windowMs / rpm;
      waiter.resolve({ sequence: this.#started++, tokens: waiter.tokens });
    }
    if (this.#queue.length === 0 && this.#heldSince !== undefined) {
      this.facts.waitedMs += performance.now() - this.#heldSince;
      this.#heldSince = undefined;
    }
  }

  #holdFrom(now: number): void {
    this.#heldSince ??= now;
  }

  /** When the next request (of `tokens` estimated tokens) may start, by `retry-after` and the per-minute limits. */
  #openAt(tokens: number, now: number): number | 'on-release' {
    const openAt = Math.max(this.#pausedUntil, this.#nextStartAt);
    const tpm = this.#settings.tokensPerMinute;
    if (tpm !== undefined) {
      while (this.#spent.length > 0 && this.#spent[0]!.at <= now - this.#windowMs) this.#spent.shift();
      let remaining = this.#inFlightTokens;
      for (const entry of this.#spent) remaining += entry.tokens;
      // A request larger than the whole budget goes alone, once nothing else counts against the window.
      if (remaining > 0 && remaining + tokens > tpm) {
        for (const entry of this.#spent) {
          remaining -= entry.tokens;
          if (remaining === 0 || remaining + tokens <= tpm)
            return Math.max(openAt, entry.at + this.#windowMs);
        }
        // Requests in flight alone leave no room: the next answer decides.
        return 'on-release';
      }
    }
    return openAt;
  }
}

/** A request's size for `tokens_per_minute` before it is answered: prompt characters / 4 plus `maxTokens`. */
export function estimateTokens(
  request:
    | { type: 'chat'; messages: { content: string }[]; parameters: { maxTokens?: number } }
    | { type: 'completion'; prompt: string; parameters: { maxTokens?: number } }
    | { type: 'loglikelihood'; context: string; continuation: string },
): number {
  if (request.type === 'loglikelihood') {
    return Math.ceil((request.context.length + request.continuation.length) / 4);
  }
  const characters =
    request.type === 'chat'
      ? request.messages.reduce((sum, message) => sum + message.content.length, 0)
      : request.prompt.length;
  return Math.ceil(characters / 4) + (request.parameters.maxTokens ?? 0);
}

/** A backend's scheduler facts as the results file holds them (`rate_limits`: snake case, seconds). */
export function rateLimitRecord(
  facts: RateLimitFacts,
  backend: { id: string; modelId: string },
  role: 'model' | 'judge',
): RateLimitRecordV1 {
  return {
    role,
    backend: backend.id,
    model_id: backend.modelId,
    configured_concurrency: facts.configuredConcurrency,
    lowest_concurrency: facts.lowestConcurrency,
    final_concurrency: facts.finalConcurrency,
    rate_limited_answers: facts.rateLimited,
    concurrency_decreases: facts.decreases,
    given_up_requests: facts.gaveUp,
    waited_seconds: Math.round(facts.waitedMs) / 1000,
    requests_per_minute: facts.requestsPerMinute ?? null,
    tokens_per_minute: facts.tokensPerMinute ?? null,
  };
}
