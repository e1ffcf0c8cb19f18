/** One message of a chat conversation. */
export interface ChatMessageV1 {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * Sampling settings sent with every generation request. Each is explicit per request; a backend that cannot
 * honour one returns a `Warning` of type `unsupported-setting` in its result rather than dropping it silently.
 */
export interface GenerationParametersV1 {
  /** Upper bound on generated tokens. Undefined: the backend's default. */
  maxTokens?: number;
  /** Sampling temperature; 0 means greedy. Undefined: the backend's default. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]. */
  topP?: number;
  /** Strings that end generation; the stop string itself is not part of the returned text. */
  stop?: string[];
  /** Sampling seed. The runner sets `seed + generation` for repeated generations of one prompt. */
  seed?: number;
  /**
   * Return, for each generated token, this many most likely alternatives with their log-probabilities
   * (`GenerateResultV1.logprobs`). Only for backends whose `capabilities.topLogprobs` is at least this.
   */
  topLogprobs?: number;
  /** `json`: constrain the answer to one JSON object. Only for backends with `capabilities.json`. Default `text`. */
  responseFormat?: 'text' | 'json';
}

/** Where a request comes from. Backends may use it (replay looks answers up by it); it is not part of the cache key except `generation`. */
export interface RequestOriginV1 {
  /** Benchmark id, e.g. `gsm8k`. */
  task: string;
  /** The dataset's own id of the sample as a string (`HumanEval/0`, an MT-Bench `question_id`), else its 0-based row index. */
  sampleId: string;
  /** 0-based index of the user turn in a multi-turn conversation. */
  turn: number;
  /** 0-based index of the generation when a sample asks for several (n samples, repeats). */
  generation: number;
  /**
   * The judge role (a key of the benchmark's `requirements.judges`) when a scorer's judge sends the request;
   * absent for the model under evaluation. `turn` is then the judge request's `call` index.
   */
  role?: string;
}

/** A request for generated text. */
export type GenerateRequestV1 =
  | {
      type: 'chat';
      /** The whole conversation so far, ending with a user message. */
      messages: ChatMessageV1[];
      parameters: GenerationParametersV1;
      origin: RequestOriginV1;
    }
  | {
      type: 'completion';
      /** Raw text the model continues. */
      prompt: string;
      parameters: GenerationParametersV1;
      origin: RequestOriginV1;
    };

/** A request for the log-probability of `continuation` given `context` (multiple-choice scoring). */
export interface LoglikelihoodRequestV1 {
  type: 'loglikelihood';
  context: string;
  continuation: string;
  origin: RequestOriginV1;
}

/** Something a backend or scorer could not do exactly as asked. Recorded in sample records and results. */
export interface WarningV1 {
  /** `unsupported-setting`: a generation parameter was not honoured; `truncated-prompt`: the prompt was cut to fit. */
  type: 'unsupported-setting' | 'truncated-prompt' | 'other';
  /** The generation parameter concerned, for `unsupported-setting`. */
  setting?: keyof GenerationParametersV1;
  message: string;
}

/** Tokens counted by the backend for one call. */
export interface TokenUsageV1 {
  promptTokens: number;
  completionTokens: number;
  /** Of `promptTokens`, those the provider served from its prompt cache (priced `TokenPriceV1.cachedInput`). */
  cachedPromptTokens?: number;
}

/** Why generation ended. */
export type FinishReasonV1 = 'stop' | 'length' | 'content-filter' | 'other';

/** One generated token with its log-probability (natural log) and, where asked, the most likely alternatives. */
export interface TokenLogprobV1 {
  token: string;
  logprob: number;
  /** The `topLogprobs` most likely tokens at this position, most likely first (may include `token`). */
  topLogprobs: { token: string; logprob: number }[];
}

export interface GenerateResultV1 {
  /** The generated text (for chat: the assistant message's content). */
  text: string;
  /** Per generated token, when the request's parameters asked for `topLogprobs`. */
  logprobs?: TokenLogprobV1[];
  finishReason: FinishReasonV1;
  /** Token counts when the backend reports them. */
  usage?: TokenUsageV1;
  warnings: WarningV1[];
}

export interface LoglikelihoodResultV1 {
  /** Sum of the log-probabilities (natural log) of the continuation's tokens. */
  logprob: number;
  /** Whether greedy decoding from `context` would produce exactly `continuation`. */
  isGreedy: boolean;
  warnings: WarningV1[];
}
