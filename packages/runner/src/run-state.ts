import {
  AuthenticationError,
  BackendCallError,
  type BackendV1,
  type RequestOriginV1,
  type StorageError,
  type TokenUsageV1,
} from '@evalchemy/core';
import type { RateLimitFacts } from './adaptive-limit.js';
import { Budget } from './budget.js';
import { storageError } from './create-directory.js';
import type { RunSettings } from './run-settings.js';

/** Requests and tokens of one role (the model, or one judge role) in one task. */
export interface RequestUsage {
  /** Requests sent to the backend (cache hits not included). */
  requests: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  /** Of `promptTokens`, those served from the provider's prompt cache. */
  cachedPromptTokens: number;
  /** US dollars of the priced requests sent (unrounded). */
  costUsd: number;
  /** Requests sent to a model without a known price: the cost is then unknown. */
  unpricedRequests: number;
}

/** Usage of one task: the model's, and each judge role's. */
export interface TaskUsage {
  model: RequestUsage;
  judges: Record<string, RequestUsage>;
}

/** What every part of a run shares: counts, the cache writer and the means to stop the run. */
export interface RunState {
  /** Per task, by the task id of each request's origin. */
  usage: Map<string, TaskUsage>;
  /** What each backend's scheduler did (refusals, concurrency, waits), by backend. */
  rateLimits: Map<BackendV1, RateLimitFacts>;
  /** Why the response cache stopped taking new responses, once a write failed (a full disk). */
  cacheError: StorageError | undefined;
  /** The run's `--max_cost` budget, when it has one. */
  budget: Budget | undefined;
  /**
   * Counts one answered request under its origin's task and role, with its cost (undefined: the model's price
   * is unknown; 0 for a cached answer).
   */
  count(
    origin: RequestOriginV1,
    answer: { cached: boolean; usage?: TokenUsageV1 | undefined; costUsd?: number | undefined },
  ): void;
  /** Totals over every task and role. */
  totals(): RequestUsage;
  /** Stores a response in the cache; after a failed write the run goes on without storing. */
  store(key: string, value: unknown): Promise<void>;
  /** Stops the run at once when `error` is a server refusing the credentials (HTTP 401/403). */
  stopOnRefusal(error: unknown, role: 'model' | 'judge', backend: BackendV1): void;
  /** Stops the run at once: every pending call is aborted and the run rejects with `reason`. */
  stop(reason: Error): void;
}

export const cacheRemedy =
  'Set EVALCHEMY_CACHE_DIR to a writable directory with free space, or pass --no_cache to run without the cache.';

export function emptyUsage(): RequestUsage {
  return {
    requests: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedPromptTokens: 0,
    costUsd: 0,
    unpricedRequests: 0,
  };
}

export function sumUsage(usages: readonly RequestUsage[]): RequestUsage {
  const total = emptyUsage();
  for (const usage of usages) {
    total.requests += usage.requests;
    total.cacheHits += usage.cacheHits;
    total.promptTokens += usage.promptTokens;
    total.completionTokens += usage.completionTokens;
    total.cachedPromptTokens += usage.cachedPromptTokens;
    total.costUsd += usage.costUsd;
    total.unpricedRequests += usage.unpricedRequests;
  }
  return total;
}

export function createRunState(settings: RunSettings, stopController: AbortController): RunState {
  const state: RunState = {
    usage: new Map(),
    rateLimits: new Map(),
    cacheError: undefined,
    budget: settings.maxCostUsd === undefined ? undefined : new Budget(settings.maxCostUsd),
    count(origin, answer) {
      let task = state.usage.get(origin.task);
      if (task === undefined) {
        task = { model: emptyUsage(), judges: {} };
        state.usage.set(origin.task, task);
      }
      let usage = task.model;
      if (origin.role !== undefined) {
        usage = task.judges[origin.role] ?? emptyUsage();
        task.judges[origin.role] = usage;
      }
      if (answer.cached) {
        usage.cacheHits += 1;
        return;
      }
      usage.requests += 1;
      if (answer.costUsd === undefined) usage.unpricedRequests += 1;
      else usage.costUsd += answer.costUsd;
      if (answer.usage) {
        usage.promptTokens += answer.usage.promptTokens;
        usage.completionTokens += answer.usage.completionTokens;
        usage.cachedPromptTokens += answer.usage.cachedPromptTokens ?? 0;
      }
    },
    totals() {
      return sumUsage(
        [...state.usage.values()].flatMap((task) => [task.model, ...Object.values(task.judges)]),
      );
    },
    async store(key, value) {
      if (state.cacheError !== undefined) return;
      try {
        await settings.cache.set(key, value);
      } catch (error) {
        if (state.cacheError !== undefined) return;
        state.cacheError = storageError(
          'write the response cache',
          settings.cache.directory,
          error,
          cacheRemedy,
        );
        settings.log.warn(`${state.cacheError.message} The run goes on without caching new responses.`);
      }
    },
    stopOnRefusal(error, role, backend) {
      if (!BackendCallError.isInstance(error)) return;
      if (error.statusCode !== 401 && error.statusCode !== 403) return;
      state.stop(refusal(error, error.statusCode, role, backend, settings.keySources?.[role]));
    },
    stop(reason) {
      if (!stopController.signal.aborted) stopController.abort(reason);
    },
  };
  return state;
}

/** Why the run stopped when a server refused the credentials: which server, which key, what to do. */
function refusal(
  error: BackendCallError,
  statusCode: number,
  role: 'model' | 'judge',
  backend: BackendV1,
  keySource: string | undefined,
): AuthenticationError {
  const { baseUrl } = backend.describe();
  const server = typeof baseUrl === 'string' ? `server ${baseUrl}` : `backend ${backend.id}`;
  const refused = statusCode === 401 ? 'did not accept' : 'refused access with';
  return new AuthenticationError(
    `The ${role}'s ${server} ${refused} the API key from ${keySource ?? 'nowhere (no key was set)'} ` +
      `(HTTP ${statusCode}, model ${backend.modelId}). The run stopped at once: no further requests were sent. ` +
      `Check the key and its access to this model, then run the same command again. (${error.message})`,
    { statusCode, cause: error },
  );
}
