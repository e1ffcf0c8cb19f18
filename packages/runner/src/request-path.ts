import type {
  BackendV1,
  GenerateRequestV1,
  GenerateResultV1,
  LoglikelihoodRequestV1,
  LoglikelihoodResultV1,
} from '@evalchemy/core';
import { AdaptiveLimit, type ConcurrencyChange, estimateTokens } from './adaptive-limit.js';
import { costCeiling } from './budget.js';
import { costOf, type PricedModel } from './prices.js';
import { ResponseCache } from './response-cache.js';
import type { RunState } from './run-state.js';

/**
 * The one way a request reaches a backend, for the model and for judges alike: the response cache, the
 * backend's scheduler (`AdaptiveLimit`: concurrency lowered on rate-limit refusals and raised again, refused
 * requests sent again after `retry-after`, per-minute limits), the run's `--max_cost` budget, the run's stop on
 * refused credentials, and usage and cost accounting under the request's task and role. Other retries are the
 * backend's own (the openai SDK's, with backoff).
 */
export interface RequestPath {
  readonly backend: BackendV1;
  send(request: GenerateRequestV1, signal: AbortSignal): Promise<GenerateResultV1>;
  send(request: LoglikelihoodRequestV1, signal: AbortSignal): Promise<LoglikelihoodResultV1>;
  /** True while fewer calls are running than the limit allows. */
  hasIdleSlot(): boolean;
}

export function createRequestPath(
  backend: BackendV1,
  settings: {
    cache: ResponseCache;
    concurrency: number;
    state: RunState;
    price: PricedModel | undefined;
    /**
     * The backend's options that can change its answers (`RunSettings.answerOptions`): part of the cache key, so
     * that a changed option (a reasoning effort, a context size) is asked again instead of served from the cache.
     */
    answerOptions: Record<string, unknown> | undefined;
    /** Called when a rate-limit refusal lowers the backend's concurrency (once per round). */
    onDecrease?: (change: ConcurrencyChange) => void;
  },
): RequestPath {
  const { cache, state, price, answerOptions } = settings;
  const limit = new AdaptiveLimit({
    concurrency: Math.max(1, Math.min(settings.concurrency, backend.capabilities.maxConcurrency ?? Infinity)),
    requestsPerMinute: backend.capabilities.requestsPerMinute,
    tokensPerMinute: backend.capabilities.tokensPerMinute,
    onDecrease: (change) => settings.onDecrease?.(change),
  });
  state.rateLimits.set(backend, limit.facts);
  const role = (request: GenerateRequestV1 | LoglikelihoodRequestV1) =>
    request.origin.role === undefined ? 'model' : 'judge';

  async function send(
    request: GenerateRequestV1 | LoglikelihoodRequestV1,
    signal: AbortSignal,
  ): Promise<GenerateResultV1 | LoglikelihoodResultV1> {
    // Where a request comes from is not part of its key, except which generation it is: the same prompt
    // asked for two generations (pass@k) must get two answers.
    const key = backend.capabilities.cacheable
      ? ResponseCache.key({
          backend: backend.id,
          ...modelIdentity(backend),
          ...(answerOptions === undefined || Object.keys(answerOptions).length === 0
            ? {}
            : { options: answerOptions }),
          request: { ...request, origin: { generation: request.origin.generation } },
        })
      : undefined;
    if (key !== undefined) {
      const cached = await cache.get<GenerateResultV1 | LoglikelihoodResultV1>(key);
      if (cached !== undefined) {
        state.count(request.origin, { cached: true });
        return cached;
      }
    }
    let costUsd: number | undefined;
    // One attempt per call: a refused attempt (rate limit) costs nothing and its reservation is given back.
    const attempt = async (): Promise<GenerateResultV1 | LoglikelihoodResultV1> => {
      // With a budget every backend has a price (checked before the run starts).
      const reservation =
        state.budget && price ? state.budget.reserve(costCeiling(request, price.price)) : undefined;
      costUsd = undefined;
      try {
        const answer = await call(request, signal);
        const usage = 'usage' in answer ? answer.usage : undefined;
        costUsd = price === undefined ? undefined : usage === undefined ? 0 : costOf(price.price, usage);
        return answer;
      } finally {
        reservation?.settle(costUsd ?? 0);
      }
    };
    const result = await limit
      .run(attempt, {
        signal,
        tokens: estimateTokens(request),
        usageOf: (answer) =>
          'usage' in answer && answer.usage !== undefined
            ? answer.usage.promptTokens + answer.usage.completionTokens
            : undefined,
      })
      .catch((error: unknown) => {
        state.stopOnRefusal(error, role(request), backend);
        throw error;
      });
    state.count(request.origin, {
      cached: false,
      usage: 'usage' in result ? result.usage : undefined,
      costUsd,
    });
    if (key !== undefined) await state.store(key, result);
    return result;
  }

  function call(
    request: GenerateRequestV1 | LoglikelihoodRequestV1,
    signal: AbortSignal,
  ): Promise<GenerateResultV1 | LoglikelihoodResultV1> {
    if (request.type !== 'loglikelihood') return backend.doGenerate(request, { signal });
    if (backend.doLoglikelihood === undefined) {
      throw new Error(`backend ${backend.id} does not implement doLoglikelihood`);
    }
    return backend.doLoglikelihood(request, { signal });
  }

  return {
    backend,
    send: send as RequestPath['send'],
    hasIdleSlot: () => limit.hasIdleSlot(),
  };
}

/** The model and, for a served one, its server: the same model name on two servers answers differently. */
export function modelIdentity(backend: BackendV1): { model: string; endpoint?: string } {
  return backend.endpoint === undefined
    ? { model: backend.modelId }
    : { model: backend.modelId, endpoint: backend.endpoint };
}
