import type { GenerateResultV1, GenerationParametersV1, TokenLogprobV1 } from '@evalchemy/core';
import { scriptedIsTopToken, scriptedTokenLogprob, scriptedTokens } from './scripted-server.js';

/** A scripted answer: the text alone, or a result whose left-out fields take the defaults. */
export type ScriptedAnswer = string | (Partial<GenerateResultV1> & { text: string });

/**
 * Per-token log-probabilities of `text` as the scripted server reports them: its tokens (`scriptedTokens`), each
 * with `scriptedTokenLogprob`, and up to `topLogprobs` alternatives, most likely first (an all-upper-case token
 * ranks below its lower-case spelling, `scriptedIsTopToken`).
 */
export function scriptedLogprobs(text: string, topLogprobs: number): TokenLogprobV1[] {
  return scriptedTokens(text).map((token) => {
    const logprob = scriptedTokenLogprob(token);
    const alternatives = scriptedIsTopToken(token)
      ? [{ token, logprob }]
      : [
          { token: token.toLowerCase(), logprob: logprob / 2 },
          { token, logprob },
        ];
    return { token, logprob, topLogprobs: alternatives.slice(0, Math.max(1, topLogprobs)) };
  });
}

/**
 * The full result of a scripted answer: finish reason `stop`, no warnings, usage in whitespace-delimited words
 * of the prompt and the text, and `scriptedLogprobs` when the request asked for `topLogprobs` and the script
 * gave none.
 */
export function completeAnswer(
  answer: ScriptedAnswer,
  request: { parameters: GenerationParametersV1; promptText: string },
): GenerateResultV1 {
  const given = typeof answer === 'string' ? { text: answer } : answer;
  const topLogprobs = request.parameters.topLogprobs;
  return {
    finishReason: 'stop',
    warnings: [],
    usage: { promptTokens: countWords(request.promptText), completionTokens: countWords(given.text) },
    ...(topLogprobs ? { logprobs: scriptedLogprobs(given.text, topLogprobs) } : {}),
    ...given,
  };
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}
