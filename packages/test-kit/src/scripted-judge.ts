import type { JudgeRequestV1, JudgeV1 } from '@evalchemy/core';
import { completeAnswer, type ScriptedAnswer } from './scripted-answer.js';

export interface ScriptedJudgeSettings {
  /** The role it fills (a key of the benchmark's `requirements.judges`). Default `judge`. */
  role?: string;
  /** Default `scripted`. */
  backendId?: string;
  /** Default `scripted-judge`. */
  modelId?: string;
  /**
   * The answer to every request, or a function of the request and its 0-based arrival index (it may throw to
   * fail the call). When the request asks for `topLogprobs` and the answer has no `logprobs`, the judge gives
   * the scripted server's (`scriptedLogprobs`).
   */
  answer:
    | ScriptedAnswer
    | ((request: JudgeRequestV1, index: number) => ScriptedAnswer | Promise<ScriptedAnswer>);
}

/** A `JudgeV1` answering from a script, with what it was asked. */
export interface ScriptedJudge extends JudgeV1 {
  /** Every request received, in arrival order. */
  readonly requests: JudgeRequestV1[];
}

/** A judge for a scorer's `context.judges[role]` that answers each request from a script, not a model. */
export function createScriptedJudge(settings: ScriptedJudgeSettings): ScriptedJudge {
  const requests: JudgeRequestV1[] = [];
  return {
    role: settings.role ?? 'judge',
    backendId: settings.backendId ?? 'scripted',
    modelId: settings.modelId ?? 'scripted-judge',
    requests,
    async judge(request, { signal }) {
      signal.throwIfAborted();
      const index = requests.push(request) - 1;
      const answer =
        typeof settings.answer === 'function' ? await settings.answer(request, index) : settings.answer;
      const promptText = request.messages.map((message) => message.content).join('\n');
      return completeAnswer(answer, { parameters: request.parameters, promptText });
    },
  };
}
