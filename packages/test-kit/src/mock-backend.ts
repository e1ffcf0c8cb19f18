import type {
  BackendCapabilitiesV1,
  BackendV1,
  GenerateRequestV1,
  LoglikelihoodRequestV1,
  LoglikelihoodResultV1,
} from '@evalchemy/core';
import { completeAnswer, type ScriptedAnswer } from './scripted-answer.js';
import { scriptedIsTopToken, scriptedTokenLogprob, scriptedTokens } from './scripted-server.js';

export interface MockBackendSettings {
  /** Plugin id. Default `mock`. */
  id?: string;
  /** Plugin version. Default `0.0.0`. */
  version?: string;
  /** Default `mock-model`. */
  modelId?: string;
  /** Where the model is served (part of the runner's cache key). Default none. */
  endpoint?: string;
  /**
   * Merged over the defaults: `chat` and `completion` true, `loglikelihood` true when `loglikelihood` is
   * given, `cacheable` true.
   */
  capabilities?: Partial<BackendCapabilitiesV1>;
  /**
   * The answer to every generate request, or a function of the request and its 0-based arrival index (it may
   * throw, e.g. a `BackendCallError`, to fail the request). Default: the last user message, or the prompt.
   */
  generate?:
    | ScriptedAnswer
    | ((request: GenerateRequestV1, index: number) => ScriptedAnswer | Promise<ScriptedAnswer>);
  /**
   * The log-probability of every continuation, or a function of the request giving it or the whole result.
   * Default: the scripted server's (sum of `scriptedTokenLogprob`, greedy unless a token is all upper-case).
   */
  loglikelihood?:
    | number
    | ((
        request: LoglikelihoodRequestV1,
      ) => number | LoglikelihoodResultV1 | Promise<number | LoglikelihoodResultV1>);
  /** What `describe()` returns. Default `{ model: modelId }`. */
  description?: Record<string, unknown>;
}

/** A `BackendV1` answering from a script, with what it was asked. */
export interface MockBackend extends BackendV1 {
  /** Every request received, in arrival order. */
  readonly requests: (GenerateRequestV1 | LoglikelihoodRequestV1)[];
}

/**
 * A backend that answers from a script instead of a model, for runner tests and benchmark tests without a
 * server. It refuses requests its capabilities exclude and requests whose signal is aborted, as a real one.
 */
export function createMockBackend(settings: MockBackendSettings = {}): MockBackend {
  const requests: (GenerateRequestV1 | LoglikelihoodRequestV1)[] = [];
  const id = settings.id ?? 'mock';
  const modelId = settings.modelId ?? 'mock-model';
  const capabilities: BackendCapabilitiesV1 = {
    chat: true,
    completion: true,
    loglikelihood: settings.loglikelihood !== undefined,
    cacheable: true,
    ...settings.capabilities,
  };

  function accept(request: GenerateRequestV1 | LoglikelihoodRequestV1, signal: AbortSignal): number {
    signal.throwIfAborted();
    if (!capabilities[request.type]) {
      throw new Error(
        `The mock backend ${id} got a ${request.type} request, but its capabilities.${request.type} is false.`,
      );
    }
    return requests.push(request) - 1;
  }

  const backend: MockBackend = {
    specificationVersion: 'v1',
    id,
    version: settings.version ?? '0.0.0',
    modelId,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    capabilities,
    requests,
    async doGenerate(request, { signal }) {
      const index = accept(request, signal);
      const promptText =
        request.type === 'chat'
          ? request.messages.map((message) => message.content).join('\n')
          : request.prompt;
      const script = settings.generate;
      const answer =
        typeof script === 'function'
          ? await script(request, index)
          : (script ??
            (request.type === 'chat'
              ? (request.messages.findLast((message) => message.role === 'user')?.content ?? '')
              : request.prompt));
      return completeAnswer(answer, { parameters: request.parameters, promptText });
    },
    describe: () => settings.description ?? { model: modelId },
  };
  if (capabilities.loglikelihood) {
    backend.doLoglikelihood = async (request, { signal }) => {
      accept(request, signal);
      const script = settings.loglikelihood;
      const answer = typeof script === 'function' ? await script(request) : script;
      if (typeof answer === 'object') return answer;
      const tokens = scriptedTokens(request.continuation);
      return {
        logprob: answer ?? tokens.reduce((sum, token) => sum + scriptedTokenLogprob(token), 0),
        isGreedy: tokens.every(scriptedIsTopToken),
        warnings: [],
      };
    };
  }
  return backend;
}
