import { readFileSync } from 'node:fs';
import { OpenAIBackend } from '@evalchemy/backend-openai';
import {
  BackendCallError,
  type BackendCapabilitiesV1,
  type BackendCreateContextV1,
  type BackendV1,
  backendLimitsOf,
  type CallOptionsV1,
  type GenerateRequestV1,
  type GenerateResultV1,
  type LoglikelihoodRequestV1,
  type LoglikelihoodResultV1,
  parsePluginOptions,
  type StartOptionsV1,
  type TokenPriceV1,
} from '@evalchemy/core';
import { VERSION } from './version.js';
import { type VllmOptions, type VllmOptionsInput, vllmOptionsSchema } from './vllm-options.js';
import { findGpus, planReplicas, type ReplicaPlan, resolveVllmBinary, serveArguments } from './vllm-plan.js';
import { type Replica, ReplicaSet } from './vllm-replicas.js';

/** The OpenAI-compatible clients of one replica: one per endpoint it is asked on. */
interface ReplicaClients {
  replica: Replica;
  chat: OpenAIBackend | undefined;
  completions: OpenAIBackend | undefined;
  inFlight: number;
}

/**
 * A checkpoint served by vLLM on this machine's GPUs: `doStart` launches `data_parallel_size` replicas of
 * `vllm serve` with `tensor_parallel_size` GPUs each, requests go through the OpenAI-compatible API (the openai
 * backend's client) to the replica with the fewest requests in flight, and `doStop` ends every replica's process
 * group. The executable and the GPUs are checked when the backend is created, so a missing vLLM or too few GPUs
 * fail before anything starts.
 */
export class VllmBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'vllm';
  readonly version = VERSION;
  readonly modelId: string;
  /**
   * Stable across runs (the replicas' ports are not), so two runs share the response cache; it carries the launch
   * settings that change answers, which the cache key would otherwise miss.
   */
  readonly endpoint: string;
  readonly capabilities: BackendCapabilitiesV1;
  /** The user's `price_input`/`price_output` (to count GPU time as tokens), else 0: it runs on this machine. */
  readonly price: TokenPriceV1;
  readonly #options: VllmOptions;
  readonly #context: BackendCreateContextV1;
  readonly #binary: string;
  readonly #plan: ReplicaPlan;
  readonly #gpuSource: string;
  readonly #replicas: ReplicaSet;
  #clients: ReplicaClients[] = [];
  /** Where the next tie between equally loaded replicas starts, so that light load is spread too. */
  #nextTie = 0;

  constructor(options: VllmOptions, context: BackendCreateContextV1) {
    this.#options = options;
    this.#context = context;
    this.modelId = options.model;
    if (options.tokenized_requests === true) {
      context.log.warn(
        'backend vllm: tokenized_requests=True cannot be honoured: requests carry text, which vLLM tokenizes (as tokenized_requests=False).',
      );
    }
    const limits = backendLimitsOf(options);
    this.price = limits.price ?? { input: 0, output: 0 };
    this.#binary = resolveVllmBinary(options.vllm_bin, context.env);
    const inventory = findGpus(context.env);
    this.#gpuSource = inventory.source;
    this.#plan = planReplicas(inventory, options.tensor_parallel_size, options.data_parallel_size);
    this.endpoint = endpointOf(options);
    const completions = options.api !== 'chat';
    this.capabilities = {
      chat: options.api !== 'completions',
      completion: completions,
      loglikelihood: completions,
      cacheable: true,
      topLogprobs: 20,
      json: options.api !== 'completions',
      ...(options.concurrency !== undefined ? { maxConcurrency: options.concurrency } : {}),
      ...limits.capabilities,
    };
    this.#replicas = new ReplicaSet({
      binary: this.#binary,
      model: options.model,
      groups: this.#plan.groups,
      argumentsFor: (port) => serveArguments(options, port),
      env: context.env,
      startupTimeoutMs: options.startup_timeout_s * 1000,
      stopTimeoutMs: options.stop_timeout_s * 1000,
      log: context.log,
    });
  }

  async doStart({ signal, directory }: StartOptionsV1): Promise<void> {
    const { dataParallelSize, tensorParallelSize, groups } = this.#plan;
    this.#context.log.info(
      `vLLM: starting ${dataParallelSize} replica${dataParallelSize > 1 ? 's' : ''} of ${this.modelId} ` +
        `(tensor_parallel_size=${tensorParallelSize}; GPUs ${groups.map((group) => group.join(',')).join(' | ')}); ` +
        `logs in ${directory}/vllm-replica-*.log`,
    );
    await this.#replicas.start(signal, directory);
    this.#clients = this.#replicas.replicas.map((replica) => ({
      replica,
      chat: this.capabilities.chat ? this.#client(replica, 'chat') : undefined,
      completions: this.capabilities.completion ? this.#client(replica, 'completions') : undefined,
      inFlight: 0,
    }));
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    return this.#route(request.type === 'chat' ? 'chat' : 'completions', (client) =>
      client.doGenerate(request, options),
    );
  }

  async doLoglikelihood(
    request: LoglikelihoodRequestV1,
    options: CallOptionsV1,
  ): Promise<LoglikelihoodResultV1> {
    return this.#route('completions', (client) => client.doLoglikelihood(request, options));
  }

  async doStop(): Promise<void> {
    const clients = this.#clients;
    this.#clients = [];
    for (const { chat, completions } of clients) {
      await chat?.doStop();
      await completions?.doStop();
    }
    await this.#replicas.stop();
  }

  describe(): Record<string, unknown> {
    const { replicas } = this.#replicas;
    const version = replicas.map((replica) => vllmVersionIn(replica.logFile)).find(Boolean);
    return {
      model: this.modelId,
      ...(this.#options.revision !== undefined ? { revision: this.#options.revision } : {}),
      ...(this.#options.dtype !== undefined ? { dtype: this.#options.dtype } : {}),
      ...(this.#options.max_model_len !== undefined ? { maxModelLen: this.#options.max_model_len } : {}),
      api: this.#options.api,
      tensorParallelSize: this.#plan.tensorParallelSize,
      dataParallelSize: this.#plan.dataParallelSize,
      gpuGroups: this.#plan.groups.map((group) => group.join(',')),
      gpuSource: this.#gpuSource,
      vllmBinary: this.#binary,
      ...(version !== undefined ? { vllmVersion: version } : {}),
      ports: replicas.map((replica) => replica.port),
      logFiles: replicas.map((replica) => replica.logFile),
      ...(this.#options.concurrency !== undefined ? { concurrency: this.#options.concurrency } : {}),
    };
  }

  /** Sends through the least-loaded replica still running; ties go round the replicas. */
  async #route<Result>(
    endpoint: 'chat' | 'completions',
    send: (client: OpenAIBackend) => Promise<Result>,
  ): Promise<Result> {
    const running = this.#clients.filter((clients) => clients.replica.exit === undefined);
    if (running.length === 0) {
      throw new BackendCallError(
        this.#clients.length === 0
          ? `backend vllm: no replica of ${this.modelId} is running (doStart has not finished).`
          : `backend vllm: every replica of ${this.modelId} has exited; see ${this.#clients.map(({ replica }) => replica.logFile).join(', ')}.`,
        { isRetryable: false },
      );
    }
    const least = Math.min(...running.map((clients) => clients.inFlight));
    const tied = running.filter((clients) => clients.inFlight === least);
    const chosen = tied[this.#nextTie++ % tied.length]!;
    const client = chosen[endpoint];
    if (client === undefined) {
      throw new BackendCallError(
        `backend vllm: ${endpoint === 'chat' ? 'a chat request' : 'a completion or loglikelihood request'} ` +
          `cannot be sent with api=${this.#options.api}. Pass --model_args api=auto.`,
        { isRetryable: false },
      );
    }
    chosen.inFlight++;
    try {
      return await send(client);
    } finally {
      chosen.inFlight--;
    }
  }

  #client(replica: Replica, api: 'chat' | 'completions'): OpenAIBackend {
    return new OpenAIBackend(
      {
        model: this.modelId,
        base_url: `http://127.0.0.1:${replica.port}/v1`,
        api,
        max_retries: this.#options.max_retries,
        timeout_ms: this.#options.timeout_ms,
        max_response_bytes: 32 * 1024 * 1024,
      },
      // The replicas need no key: an OPENAI_API_KEY of the environment is not sent to them.
      { env: {}, log: this.#context.log },
    );
  }
}

/** Creates a vllm backend from `--model_args`-style options (parsed and checked here). */
export function createVllmBackend(
  options: VllmOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): VllmBackend {
  const parsed = parsePluginOptions(vllmOptionsSchema, options as Record<string, unknown>, 'backend vllm');
  return new VllmBackend(parsed as VllmOptions, {
    env: context.env ?? {},
    log: context.log ?? { info() {}, warn() {}, debug() {} },
  });
}

/** `vllm://local`, with the launch settings that change answers as query parameters. */
function endpointOf(options: VllmOptions): string {
  const settings = new URLSearchParams();
  if (options.revision !== undefined) settings.set('revision', options.revision);
  if (options.dtype !== undefined) settings.set('dtype', options.dtype);
  if (options.max_model_len !== undefined) settings.set('max_model_len', String(options.max_model_len));
  if (options.trust_remote_code) settings.set('trust_remote_code', 'true');
  if (options.extra_args !== undefined && options.extra_args.trim() !== '')
    settings.set('extra_args', options.extra_args.trim());
  const query = settings.toString();
  return `vllm://local${query === '' ? '' : `?${query}`}`;
}

/** The version vLLM prints when it starts (`vLLM API server version 0.6.3`), if its log has it yet. */
function vllmVersionIn(logFile: string): string | undefined {
  try {
    const head = readFileSync(logFile, 'utf8').slice(0, 64 * 1024);
    return /vLLM API server version:? v?([0-9][\w.+-]*)/.exec(head)?.[1];
  } catch {
    return undefined;
  }
}
