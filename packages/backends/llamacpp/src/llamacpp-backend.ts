import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  BackendCallError,
  type BackendCapabilitiesV1,
  type BackendCreateContextV1,
  type BackendV1,
  type CallOptionsV1,
  ConfigurationError,
  type FinishReasonV1,
  type GenerateRequestV1,
  type GenerateResultV1,
  type GenerationParametersV1,
  type LoggerV1,
  type LoglikelihoodRequestV1,
  type LoglikelihoodResultV1,
  parsePluginOptions,
  type WarningV1,
} from '@evalchemy/core';
import {
  type ChatHistoryItem,
  type ChatWrapper,
  type ControlledEvaluateInputItem,
  getLlama,
  getModuleVersion,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  LlamaLogLevel,
  type LlamaModel,
  type LlamaText,
  resolveChatWrapper,
  SpecialToken,
  SpecialTokensText,
  type Token,
} from '@evalchemy/node-llama-cpp';
import {
  type LlamaCppOptions,
  type LlamaCppOptionsInput,
  llamaCppOptionsSchema,
} from './llamacpp-options.js';
import { prebuiltPackages } from './prebuilt-packages.js';
import { resolveModelPath } from './resolve-model-path.js';
import { VERSION } from './version.js';

/** lm-evaluation-harness's `max_gen_toks` default, used when a request gives no `maxTokens`. */
export const defaultMaxTokens = 256;
/** Upper bound of the default context size, whatever the model was trained with. */
export const defaultContextCap = 4096;

/**
 * CPU threads when `threads` is not given: half the CPUs this process may use, at least 1. llama.cpp's threads
 * wait for each other, spinning, after every operation of a token, so a thread that waits for a core stalls all
 * of them: with more threads than free cores generation all but stops (node-llama-cpp's default, at least 4,
 * made no progress in 300 s on a busy 2-CPU machine; BENCHMARKS.md). Half leaves room for other work and, with
 * two hardware threads per core, matches llama.cpp's own default of one thread per physical core.
 */
function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** What to install when node-llama-cpp finds no llama.cpp build for `gpu` on this machine. */
async function missingBuildMessage(gpu: LlamaCppOptions['gpu'], reason: string): Promise<string> {
  const where = `gpu=${gpu} on ${process.platform} ${process.arch}`;
  const packages = prebuiltPackages(gpu, process.platform, process.arch);
  if (packages.length === 0) {
    return `backend llamacpp: node-llama-cpp publishes no llama.cpp build for ${where} (${reason}). See the README of @evalchemy/backend-llamacpp.`;
  }
  const version = await getModuleVersion();
  const install = `npm install ${packages.map((name) => `${name}@${version}`).join(' ')}`;
  return (
    `backend llamacpp: no usable llama.cpp build for ${where} (${reason}). Install it where ` +
    `@evalchemy/backend-llamacpp is installed: ${install}${gpu === 'false' ? '' : ' — or use gpu=false for the CPU'}.`
  );
}

/** Everything `doStart` creates; all of it is released by `doStop`. */
interface Loaded {
  llama: Llama;
  model?: LlamaModel;
  context?: LlamaContext;
  sequence?: LlamaContextSequence;
  modelPath?: string;
  chatWrapper?: ChatWrapper;
}

/**
 * A GGUF model run in-process by node-llama-cpp: completion, chat (when the GGUF carries a chat template) and
 * log-likelihood, on one context sequence (requests are served one at a time).
 */
export class LlamaCppBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'llamacpp';
  readonly version = VERSION;
  readonly modelId: string;
  /** It runs on this machine: no per-token price, so a `--max_cost` budget can include it. */
  readonly price = { input: 0, output: 0 };
  private readonly options: LlamaCppOptions;
  private readonly env: Record<string, string | undefined>;
  private readonly log: LoggerV1;
  private loaded: Loaded | undefined;
  // The runner may describe the backend after doStop, for the results file.
  private description: Record<string, unknown> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: LlamaCppOptions, context: BackendCreateContextV1) {
    this.options = options;
    this.env = context.env;
    this.log = context.log;
    // A path is normalised (`a/../b` and `b` are one model for the cache and the results folder).
    this.modelId = options.model.startsWith('hf:') ? options.model : resolve(options.model);
  }

  /** `chat` is true only once `doStart` has found a chat template in the model. */
  get capabilities(): BackendCapabilitiesV1 {
    return {
      chat: this.loaded?.chatWrapper !== undefined,
      completion: true,
      loglikelihood: true,
      cacheable: true,
      maxConcurrency: 1,
    };
  }

  async doStart(options: CallOptionsV1): Promise<void> {
    if (this.loaded !== undefined) return;
    try {
      await this.load(options.signal);
    } catch (error) {
      await this.doStop();
      throw error;
    }
  }

  private async load(signal: AbortSignal): Promise<void> {
    const modelPath = await resolveModelPath(this.options.model, this.env, signal);
    const gpu = this.options.gpu === 'false' ? false : this.options.gpu;
    let llama: Llama;
    try {
      llama = await getLlama({
        gpu,
        // Never compile llama.cpp or fetch a binary from outside the npm registry: only the prebuilt
        // @node-llama-cpp/* packages are used.
        build: 'never',
        progressLogs: false,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          const line = `llamacpp: ${message.trim()}`;
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) this.log.warn(line);
          else this.log.debug(line);
        },
      });
    } catch (error) {
      throw new ConfigurationError(await missingBuildMessage(this.options.gpu, (error as Error).message), {
        cause: error,
      });
    }
    this.loaded = { llama, modelPath };
    signal.throwIfAborted();

    const model = await llama.loadModel({ modelPath }).catch((error: unknown) => {
      throw new ConfigurationError(
        `backend llamacpp: cannot load ${modelPath} as a GGUF model: ${(error as Error).message}.`,
        { cause: error },
      );
    });
    this.loaded.model = model;
    signal.throwIfAborted();

    const contextSize =
      this.options.context_size ?? Math.min(model.trainContextSize ?? defaultContextCap, defaultContextCap);
    const context = await model
      .createContext({
        contextSize,
        sequences: 1,
        threads: this.options.threads ?? defaultThreads(),
        ...(this.options.batch_size === undefined ? {} : { batchSize: this.options.batch_size }),
      })
      .catch((error: unknown) => {
        throw new ConfigurationError(
          `backend llamacpp: cannot create a ${contextSize}-token context for ${modelPath}: ${(error as Error).message}. Try a smaller context_size.`,
          { cause: error },
        );
      });
    this.loaded.context = context;
    this.loaded.sequence = context.getSequence();

    if (typeof model.fileInfo.metadata.tokenizer?.chat_template === 'string') {
      this.loaded.chatWrapper = resolveChatWrapper(model);
    }
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    return this.serialized(options.signal, async (loaded) => {
      if (request.type === 'chat') {
        if (loaded.chatWrapper === undefined) {
          throw new BackendCallError(
            `backend llamacpp: ${this.modelId} has no chat template (tokenizer.chat_template), so it cannot answer chat requests. Use a completion task or a chat model.`,
            { isRetryable: false },
          );
        }
        const history: ChatHistoryItem[] = request.messages.map((message) =>
          message.role === 'assistant'
            ? { type: 'model', response: [message.content] }
            : { type: message.role, text: message.content },
        );
        // The open model turn makes the template end with the assistant prefix.
        history.push({ type: 'model', response: [] });
        const state = loaded.chatWrapper.generateContextState({ chatHistory: history });
        const tokens = this.encode(loaded.model, renderChatContext(state.contextText, loaded.model));
        const triggers = resolveStopTriggers(state.stopGenerationTriggers, loaded.model);
        return this.generate(loaded, tokens, request.parameters, triggers, options.signal);
      }
      const tokens = this.encode(loaded.model, request.prompt);
      return this.generate(loaded, tokens, request.parameters, { tokens: [], texts: [] }, options.signal);
    });
  }

  async doLoglikelihood(
    request: LoglikelihoodRequestV1,
    options: CallOptionsV1,
  ): Promise<LoglikelihoodResultV1> {
    return this.serialized(options.signal, (loaded) => this.loglikelihood(loaded, request));
  }

  async doStop(): Promise<void> {
    const loaded = this.loaded;
    if (loaded === undefined) return;
    this.description = this.describe();
    this.loaded = undefined;
    for (const resource of [loaded.sequence, loaded.context, loaded.model, loaded.llama]) {
      try {
        await resource?.dispose();
      } catch (error) {
        this.log.debug(`llamacpp: dispose failed: ${(error as Error).message}`);
      }
    }
  }

  describe(): Record<string, unknown> {
    const loaded = this.loaded;
    const description: Record<string, unknown> = { model: this.options.model, gpu: this.options.gpu };
    if (loaded?.model === undefined) return this.description ?? description;
    const metadata = loaded.model.fileInfo.metadata;
    return {
      ...description,
      modelPath: loaded.modelPath,
      architecture: metadata.general.architecture,
      name: metadata.general.name,
      parameterCount: loaded.model.fileInsights.totalParameters,
      fileSizeBytes: loaded.model.size,
      trainContextSize: loaded.model.trainContextSize,
      contextSize: loaded.context?.contextSize,
      batchSize: loaded.context?.batchSize,
      threads: loaded.context?.currentThreads,
      chatTemplate: loaded.chatWrapper !== undefined,
      chatWrapper: loaded.chatWrapper?.wrapperName,
      computeBackend: loaded.llama.gpu === false ? 'cpu' : loaded.llama.gpu,
      llamaCppRelease: loaded.llama.llamaCppRelease.release,
    };
  }

  /** Runs one call at a time on the single sequence, in arrival order. */
  private serialized<T>(signal: AbortSignal, call: (loaded: Required<Loaded>) => Promise<T>): Promise<T> {
    const run = async () => {
      signal.throwIfAborted();
      const loaded = this.loaded;
      if (loaded?.model === undefined || loaded.context === undefined || loaded.sequence === undefined) {
        throw new BackendCallError(
          'backend llamacpp: the model is not loaded (doStart was not called or failed).',
          {
            isRetryable: false,
          },
        );
      }
      return call(loaded as Required<Loaded>);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Tokens of a text as the model reads it at the start of a sequence: BOS when the model wants one. */
  private encode(model: LlamaModel, text: string): Token[] {
    const tokens = model.tokenize(text, true);
    const bos = model.tokens.bos;
    return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
  }

  private async generate(
    loaded: Required<Loaded>,
    promptTokens: Token[],
    parameters: GenerationParametersV1,
    stopTriggers: StopTriggers,
    signal: AbortSignal,
  ): Promise<GenerateResultV1> {
    const { model, sequence } = loaded;
    const contextSize = sequence.contextSize;
    const warnings: WarningV1[] = [];
    let maxTokens = parameters.maxTokens ?? defaultMaxTokens;
    if (maxTokens >= contextSize) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'maxTokens',
        message: `maxTokens ${maxTokens} does not fit the ${contextSize}-token context; generating at most ${contextSize - 1} tokens.`,
      });
      maxTokens = contextSize - 1;
    }
    let prompt = promptTokens.length > 0 ? promptTokens : startTokens(model);
    // lm-evaluation-harness keeps the last (context size - generation budget) tokens of a long prompt.
    const budget = contextSize - maxTokens;
    if (prompt.length > budget) {
      warnings.push({
        type: 'truncated-prompt',
        message: `The prompt has ${prompt.length} tokens; kept the last ${budget} so that ${maxTokens} new tokens fit the ${contextSize}-token context.`,
      });
      prompt = prompt.slice(-budget);
    }

    const pending = await this.reusePrefix(sequence, prompt, prompt.length - 1);
    const temperature = parameters.temperature ?? 0;
    const sampling =
      temperature === 0
        ? { temperature: 0 }
        : {
            temperature,
            ...(parameters.topP === undefined ? {} : { topP: parameters.topP }),
            ...(parameters.seed === undefined ? {} : { seed: parameters.seed }),
          };
    const stops = [...(parameters.stop ?? []), ...stopTriggers.texts].filter((stop) => stop.length > 0);
    const lastPromptTokens = prompt.slice(-8);
    const generated: Token[] = [];
    let text = '';
    let finishReason: FinishReasonV1 = 'length';
    const iterator = sequence.evaluate(pending, sampling);
    try {
      while (generated.length < maxTokens) {
        signal.throwIfAborted();
        const next = await iterator.next();
        if (next.done === true) {
          finishReason = 'stop';
          break;
        }
        if (model.isEogToken(next.value)) {
          finishReason = 'stop';
          break;
        }
        generated.push(next.value);
        const trigger = stopTriggers.tokens.find((candidate) => endsWith(generated, candidate));
        if (trigger !== undefined) {
          generated.splice(generated.length - trigger.length);
          text = model.detokenize(generated, false, lastPromptTokens);
          finishReason = 'stop';
          break;
        }
        text = model.detokenize(generated, false, lastPromptTokens);
        const stopAt = earliestStop(text, stops);
        if (stopAt !== undefined) {
          text = text.slice(0, stopAt);
          finishReason = 'stop';
          break;
        }
      }
    } finally {
      await iterator.return();
    }
    return {
      text,
      finishReason,
      usage: { promptTokens: prompt.length, completionTokens: generated.length },
      warnings,
    };
  }

  private async loglikelihood(
    loaded: Required<Loaded>,
    request: LoglikelihoodRequestV1,
  ): Promise<LoglikelihoodResultV1> {
    const { model, sequence } = loaded;
    const { contextTokens, continuationTokens } = this.encodePair(
      model,
      request.context,
      request.continuation,
    );
    const warnings: WarningV1[] = [];
    if (continuationTokens.length === 0) return { logprob: 0, isGreedy: true, warnings };

    const contextSize = sequence.contextSize;
    const whole = [...contextTokens, ...continuationTokens];
    // lm-evaluation-harness's _loglikelihood_tokens: the last (context size + 1) tokens, minus the last one,
    // are the model input; the continuation is scored from the input's final positions.
    const window = whole.slice(-(contextSize + 1));
    if (window.length < whole.length) {
      warnings.push({
        type: 'truncated-prompt',
        message: `Context and continuation have ${whole.length} tokens; kept the last ${window.length} for the ${contextSize}-token context.`,
      });
    }
    const input = window.slice(0, -1);
    const firstScored = input.length - continuationTokens.length;
    if (firstScored < 0) {
      throw new BackendCallError(
        `backend llamacpp: the continuation has ${continuationTokens.length} tokens, more than the ${contextSize}-token context can score.`,
        { isRetryable: false },
      );
    }

    const pending = await this.reusePrefix(sequence, input, firstScored);
    const offset = input.length - pending.length;
    const items: ControlledEvaluateInputItem[] = pending.map((token, index) => {
      const position = offset + index;
      if (position < firstScored) return token;
      const target = window[position + 1]!;
      return [
        token,
        // includeTop (not includeMax, which node-llama-cpp 3.22 ignores on its own) brings the top logit along.
        { generateNext: { logits: { filter: { tokens: [target], includeTop: 1 } }, totalLogitWeight: true } },
      ];
    });
    const outputs = await sequence.controlledEvaluate(items);

    let logprob = 0;
    let isGreedy = true;
    for (let position = firstScored; position < input.length; position++) {
      const next = outputs[position - offset]?.next;
      const target = window[position + 1]!;
      const targetLogit = next?.logits?.get(target);
      const top = next?.logits?.entries().next().value;
      if (targetLogit === undefined || top === undefined || next?.totalLogitWeight === undefined) {
        throw new BackendCallError(
          'backend llamacpp: llama.cpp returned no logits for a continuation token.',
          {
            isRetryable: false,
          },
        );
      }
      const [, maxLogit] = top;
      // log-softmax from raw logits: totalLogitWeight is sum(exp(logit - maxLogit)).
      logprob += targetLogit - maxLogit - Math.log(next.totalLogitWeight);
      if (targetLogit < maxLogit) isGreedy = false;
    }
    return { logprob, isGreedy, warnings };
  }

  /**
   * lm-evaluation-harness's pair encoding: trailing spaces of the context move to the continuation, the whole
   * text is encoded and split where the context's own encoding ends; an empty context becomes the start token.
   */
  private encodePair(
    model: LlamaModel,
    context: string,
    continuation: string,
  ): { contextTokens: Token[]; continuationTokens: Token[] } {
    if (context === '') {
      return { contextTokens: startTokens(model), continuationTokens: model.tokenize(continuation, true) };
    }
    const trimmed = context.trimEnd();
    const movedSpaces = context.slice(trimmed.length);
    const whole = this.encode(model, trimmed + movedSpaces + continuation);
    const contextTokens = this.encode(model, trimmed);
    return { contextTokens, continuationTokens: whole.slice(contextTokens.length) };
  }

  /**
   * Keeps the sequence's cached state for the longest shared prefix (few-shot prompts and answer choices share
   * long prefixes) and returns the tokens still to evaluate. At least the tokens from `mustEvaluateFrom` on are
   * returned, because their logits are needed.
   */
  private async reusePrefix(
    sequence: LlamaContextSequence,
    tokens: Token[],
    mustEvaluateFrom: number,
  ): Promise<Token[]> {
    const { firstDifferentIndex } = sequence.compareContextTokens(tokens);
    const keep = Math.max(0, Math.min(firstDifferentIndex, mustEvaluateFrom, tokens.length - 1));
    if (keep < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    }
    return tokens.slice(keep);
  }
}

/** The token a sequence starts from when there is no text: BOS, else EOS (lm-eval's `prefix_token_id`). */
function startTokens(model: LlamaModel): Token[] {
  const start = model.tokens.bos ?? model.tokens.eos;
  if (start === null) {
    throw new BackendCallError(
      'backend llamacpp: the model has neither a BOS nor an EOS token to start from.',
      {
        isRetryable: false,
      },
    );
  }
  return [start];
}

/**
 * The chat context as the text llama.cpp's server tokenizes: the rendered template with special tokens written
 * as their text, without a leading BOS (`encode` adds one when the model asks for it, so a template with or
 * without `bos_token` gives exactly one). Tokenizing it whole, rather than node-llama-cpp's piece by piece, keeps
 * a SentencePiece vocabulary from adding a space before every template piece that is not a special token
 * (`[INST]`, `\nuser: `).
 */
function renderChatContext(context: LlamaText, model: LlamaModel): string {
  const values = [...context.values];
  const first = values[0];
  if (first instanceof SpecialToken && first.value === 'BOS') values.shift();
  return values
    .map((value) => {
      if (typeof value === 'string') return value;
      if (value instanceof SpecialTokensText) return value.value;
      return model.detokenize(value.tokenize(model.tokenizer), true);
    })
    .join('');
}

/** When generation ends for the chat template: after a token sequence, or at a text in the generated text. */
interface StopTriggers {
  tokens: Token[][];
  texts: string[];
}

/**
 * The chat wrapper's stop triggers, matched as node-llama-cpp's own chat does: special tokens by id, everything
 * else as text. Matching text pieces as token sequences missed them whenever the model spelled the text with
 * other tokens (a template's `\n` turn end, tokenized alone as `▁` + `\n`, never matched a generated `\n`).
 */
function resolveStopTriggers(triggers: readonly LlamaText[], model: LlamaModel): StopTriggers {
  const resolved: StopTriggers = { tokens: [], texts: [] };
  for (const trigger of triggers) {
    const parts = trigger.values
      .flatMap((value): (string | Token)[] => {
        if (typeof value === 'string') return [value];
        if (value instanceof SpecialTokensText) return value.tokenizeSpecialTokensOnly(model.tokenizer);
        return value.tokenize(model.tokenizer);
      })
      .filter((part) => part !== '');
    if (parts.length === 0) continue;
    if (parts.every((part) => typeof part === 'string')) resolved.texts.push(parts.join(''));
    else {
      resolved.tokens.push(
        parts.flatMap((part) =>
          typeof part === 'string' ? model.tokenize(part, false, 'trimLeadingSpace') : [part],
        ),
      );
    }
  }
  return resolved;
}

function endsWith(tokens: Token[], suffix: Token[]): boolean {
  if (suffix.length > tokens.length) return false;
  const start = tokens.length - suffix.length;
  return suffix.every((token, index) => tokens[start + index] === token);
}

/** Index where the first of the stop strings begins in `text`, or undefined. */
function earliestStop(text: string, stops: string[]): number | undefined {
  let earliest: number | undefined;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index !== -1 && (earliest === undefined || index < earliest)) earliest = index;
  }
  return earliest;
}

/** Creates a llamacpp backend from `--model_args`-style options (parsed and validated here). */
export function createLlamaCppBackend(
  options: LlamaCppOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): LlamaCppBackend {
  const parsed = parsePluginOptions(
    llamaCppOptionsSchema,
    options as Record<string, unknown>,
    'backend llamacpp',
  );
  return new LlamaCppBackend(parsed, {
    env: context.env ?? {},
    log: context.log ?? { info() {}, warn() {}, debug() {} },
  });
}
