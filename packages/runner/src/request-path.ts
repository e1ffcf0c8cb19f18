import type {
  BackendV1,
  GenerateRequestV1,
  GenerateResultV1,
  LoglikelihoodRequestV1,
  LoglikelihoodResultV1,
} from '@evalchemy/core';
import pLimit from 'p-limit';
import { costCeiling } from './budget.js';
import { costOf, type PricedModel } from './prices.js';
import { ResponseCache } from './response-cache.js';
import type { RunState } from './run-state.js';

/**
 * The one way a request reaches a backend, for the model and for judges alike: the response cache, the
 * backend's concurrency limit, the run's `--max_cost` budget, the run's stop on refused credentials, and usage
 * and cost accounting under the request's task and role. Retries are the backend's own (the openai SDK's, with backoff).
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
  settings: { cache: ResponseCache; concurrency: number; state: RunState; price: PricedModel | undefined },
): RequestPath {
  const { cache, state, price } = settings;
  const limit = pLimit(
    Math.max(1, Math.min(settings.concurrency, backend.capabilities.maxConcurrency ?? Infinity)),
  );
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
    const result = await limit(async (): Promise<GenerateResultV1 | LoglikelihoodResultV1> => {
      signal.throwIfAborted();
      // With a budget every backend has a price (checked before the run starts).
      const reservation =
        state.budget && price ? state.budget.reserve(costCeiling(request, price.price)) : undefined;
      try {
        const answer = await call(request, signal);
        const usage = 'usage' in answer ? answer.usage : undefined;
        costUsd = price === undefined ? undefined : usage === undefined ? 0 : costOf(price.price, usage);
        return answer;
      } finally {
        reservation?.settle(costUsd ?? 0);
      }
    }).catch((error: unknown) => {
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
    hasIdleSlot: () => limit.activeCount < limit.concurrency,
  };
}

/** The model and, for a served one, its server: the same model name on two servers answers differently. */
export function modelIdentity(backend: BackendV1): { model: string; endpoint?: string } {
  return backend.endpoint === undefined
    ? { model: backend.modelId }
    : { model: backend.modelId, endpoint: backend.endpoint };
}
