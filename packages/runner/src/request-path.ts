import type {
  BackendV1,
  GenerateRequestV1,
  GenerateResultV1,
  LoglikelihoodRequestV1,
  LoglikelihoodResultV1,
} from '@evalchemy/core';
import { AdaptiveLimit, type ConcurrencyChange, estimateTokens } from './adaptive-limit.js';
import { ResponseCache } from './response-cache.js';
import type { RunState } from './run-state.js';

/**
 * The one way a request reaches a backend, for the model and for judges alike: the response cache, the
 * backend's scheduler (`AdaptiveLimit`: concurrency lowered on rate-limit refusals and raised again, refused
 * requests sent again after `retry-after`, per-minute limits), the run's stop on refused credentials, and usage
 * accounting under the request's task and role. Other retries are the backend's own (the openai SDK's).
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
    /** Called when the backend's concurrency is lowered after a rate-limit refusal. */
    onDecrease?: (change: ConcurrencyChange) => void;
  },
): RequestPath {
  const { cache, state } = settings;
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
    const result = await limit
      .run(
        (): Promise<GenerateResultV1 | LoglikelihoodResultV1> => {
          if (request.type !== 'loglikelihood') return backend.doGenerate(request, { signal });
          if (backend.doLoglikelihood === undefined) {
            throw new Error(`backend ${backend.id} does not implement doLoglikelihood`);
          }
          return backend.doLoglikelihood(request, { signal });
        },
        {
          signal,
          tokens: estimateTokens(request),
          usageOf: (answer) =>
            'usage' in answer && answer.usage !== undefined
              ? answer.usage.promptTokens + answer.usage.completionTokens
              : undefined,
        },
      )
      .catch((error: unknown) => {
        state.stopOnRefusal(error, role(request), backend);
        throw error;
      });
    state.count(request.origin, { cached: false, usage: 'usage' in result ? result.usage : undefined });
    if (key !== undefined) await state.store(key, result);
    return result;
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
