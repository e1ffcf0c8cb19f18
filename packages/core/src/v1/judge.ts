import type {
  ChatMessageV1,
  FinishReasonV1,
  GenerationParametersV1,
  TokenLogprobV1,
  TokenUsageV1,
  WarningV1,
} from './generation.js';

/**
 * One judge a benchmark needs, under a role name of its choosing (`judge`, `grader`, `parser`). Declared in
 * `requirements.judges`; the scorer gets it as `context.judges[role]`.
 */
export interface JudgeRoleV1 {
  /**
   * The judge model the reference implementation uses, taken when the user names none (`--annotator_model
   * auto`, Evalchemy's default): `gpt-4` for MT-Bench as FastChat, `gpt-4-1106-preview` for AlpacaEval 2.0.
   */
  defaultModel: string;
  /**
   * What the judge backend must support. The runner checks it before any generation and fails naming the
   * task, the role and the missing capability.
   */
  needs?: {
    /** The judge must return this many most likely alternatives per generated token (`topLogprobs`). */
    topLogprobs?: number;
    /** The judge must be able to constrain its answer to a JSON object (`responseFormat: 'json'`). */
    json?: boolean;
  };
  /** One line on what this judge does, for error messages and `evalchemy list`. */
  description?: string;
}

/** A question to a judge. */
export interface JudgeRequestV1 {
  messages: ChatMessageV1[];
  /** Sampling settings; `topLogprobs` and `responseFormat` only as declared in the role's `needs`. */
  parameters: GenerationParametersV1;
  /**
   * Tells apart several calls for one sample and role (MT-Bench's turn 1 and turn 2). Part of where the
   * request comes from; not part of the cache key.
   */
  call?: number;
}

/** A judge's answer: the text and, where asked for, per-token log-probabilities. */
export interface JudgeAnswerV1 {
  text: string;
  /** Per generated token, when the request asked for `topLogprobs`. */
  logprobs?: TokenLogprobV1[];
  finishReason: FinishReasonV1;
  usage?: TokenUsageV1;
  warnings: WarningV1[];
}

/**
 * An LLM used by a scorer. The runner gives each scorer call one per declared role, bound to the task and
 * sample, so every request carries where it comes from (task, sample id, role). Calls go through the same
 * request path as the model's: response cache, concurrency limit, usage accounting (kept per role).
 */
export interface JudgeV1 {
  /** The role this judge fills for the benchmark (a key of `requirements.judges`). */
  readonly role: string;
  /** Backend plugin id serving the judge, e.g. `openai`. */
  readonly backendId: string;
  /** Model id of the judge, e.g. `gpt-4o-mini-2024-07-18`; recorded in results. */
  readonly modelId: string;
  /** Asks the judge. Throws `BackendCallError` when the call failed after retries. */
  judge(request: JudgeRequestV1, options: { signal: AbortSignal }): Promise<JudgeAnswerV1>;
}
