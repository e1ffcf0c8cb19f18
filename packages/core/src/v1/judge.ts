import type { ChatMessageV1, GenerationParametersV1, TokenUsageV1 } from './generation.js';

/**
 * An LLM used by a scorer (MT-Bench's GPT-4 grader, AlpacaEval's annotator). Calls go through the runner's
 * response cache, retries and concurrency limit like any model call.
 */
export interface JudgeV1 {
  /** Model id of the judge, e.g. `gpt-4o-mini-2024-07-18`; recorded in results. */
  readonly modelId: string;
  /** Asks the judge. Throws `BackendCallError` when the call failed after retries. */
  judge(
    request: { messages: ChatMessageV1[]; parameters: GenerationParametersV1 },
    options: { signal: AbortSignal },
  ): Promise<JudgeAnswerV1>;
}

export interface JudgeAnswerV1 {
  text: string;
  usage?: TokenUsageV1;
}
