import { basename, dirname } from 'node:path';
import {
  BackendCallError,
  type BackendCapabilitiesV1,
  type BackendCreateContextV1,
  type BackendV1,
  type CallOptionsV1,
  type GenerateRequestV1,
  type GenerateResultV1,
  parsePluginOptions,
} from '@evalchemy/core';
import { describeKey, loadReplayFile, type ReplayFile } from './replay-file.js';
import { type ReplayOptions, type ReplayOptionsInput, replayOptionsSchema } from './replay-options.js';
import { VERSION } from './version.js';

/**
 * A backend that answers from a file of precomputed responses, looked up by the request's origin (task,
 * sample id, turn, generation). Generation parameters do not apply: the recorded text is returned as is.
 */
export class ReplayBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'replay';
  readonly version = VERSION;
  readonly modelId: string;
  /** It answers from files: no per-token price, so a `--max_cost` budget can include it. */
  readonly price = { input: 0, output: 0 };
  readonly capabilities: BackendCapabilitiesV1 = {
    chat: true,
    completion: true,
    loglikelihood: false,
    // The answer depends on the origin, which is not part of the runner's cache key.
    cacheable: false,
  };
  private readonly options: ReplayOptions;
  private file: ReplayFile | undefined;

  constructor(options: ReplayOptions, _context?: BackendCreateContextV1) {
    this.options = options;
    this.modelId = options.model ?? defaultModelName(options.path);
  }

  /** Reads and validates the whole file, so a malformed line fails the run before any request. */
  async doStart(): Promise<void> {
    this.file = await loadReplayFile(this.options.path, this.options.task);
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    options.signal.throwIfAborted();
    this.file ??= await loadReplayFile(this.options.path, this.options.task);
    const { task, sampleId, turn, generation } = request.origin;
    const key = { task, sampleId, turn, generation };
    const response = this.file.lookup(key, firstPrompt(request));
    if (response === undefined) {
      throw new BackendCallError(`replay: ${this.options.path} has no response for ${describeKey(key)}.`, {
        isRetryable: false,
      });
    }
    return { text: response, finishReason: 'stop', warnings: [] };
  }

  /** Nothing to release: the file is read whole at start and kept for `describe()`. */
  async doStop(): Promise<void> {}

  describe(): Record<string, unknown> {
    return {
      path: this.options.path,
      ...(this.file === undefined ? {} : { recordCount: this.file.recordCount }),
      mtBenchTask: this.options.task,
    };
  }
}

/**
 * The file's base name without `.jsonl`/`.json`; for AlpacaEval's `results/<model>/model_outputs.json`, and a
 * run's `<output>/<model>/samples_<task>_<timestamp>.jsonl`, the folder's name: the model's.
 */
function defaultModelName(path: string): string {
  const name = basename(path);
  if (name === 'model_outputs.json' || /^samples_.+\.jsonl$/.test(name)) return basename(dirname(path));
  return name.replace(/\.jsonl?$/i, '');
}

/** The first user message of a chat request, or a completion's prompt: what AlpacaEval outputs are keyed by. */
function firstPrompt(request: GenerateRequestV1): string | undefined {
  if (request.type === 'completion') return request.prompt;
  return request.messages.find((message) => message.role === 'user')?.content;
}

/** Creates a replay backend from `--model_args`-style options (parsed and validated here). */
export function createReplayBackend(
  options: ReplayOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): ReplayBackend {
  const parsed = parsePluginOptions(
    replayOptionsSchema,
    options as Record<string, unknown>,
    'backend replay',
  );
  return new ReplayBackend(parsed, { env: context.env ?? {}, log: context.log ?? silentLogger });
}

const silentLogger = { info() {}, warn() {}, debug() {} };
