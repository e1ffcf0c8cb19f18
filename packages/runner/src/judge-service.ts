import {
  type BackendV1,
  type ChatMessageV1,
  ConfigurationError,
  type GenerateRequestV1,
  type JudgeV1,
  judgeRolesOf,
  type RequestOriginV1,
  type WarningV1,
} from '@evalchemy/core';
import type { RequestPath } from './request-path.js';
import type { RunSettings } from './run-settings.js';

/**
 * Checks, before anything is started or sent, that every judge role of every task to be scored has a
 * backend, and that the backend can give what the role needs (chat or completion requests, top logprobs,
 * JSON output).
 */
export function checkJudges(settings: RunSettings): void {
  if (settings.predictOnly) return;
  for (const { benchmark, options } of settings.tasks) {
    for (const [role, requirement] of Object.entries(judgeRolesOf(benchmark, options))) {
      const backend = settings.judges?.[benchmark.id]?.[role];
      if (backend === undefined) {
        throw new ConfigurationError(
          `Task ${benchmark.id} is scored by an LLM judge (role "${role}"), but no judge is configured for it. ` +
            'Choose one with --judge_backend, --judge_args and --annotator_model (or the judges in --config), or pass --predict_only.',
        );
      }
      const missing = missingCapabilities(backend, requirement.needs ?? {});
      if (missing.length > 0) {
        throw new ConfigurationError(
          `Task ${benchmark.id}'s judge role "${role}" needs ${missing.join(' and ')}, which judge backend ` +
            `${backend.id} (model ${backend.modelId}) does not give. Choose a judge backend that does ` +
            '(--judge_backend openai with a model that returns them), or pass --predict_only. Nothing was generated.',
        );
      }
    }
  }
}

function missingCapabilities(backend: BackendV1, needs: { topLogprobs?: number; json?: boolean }): string[] {
  const missing: string[] = [];
  if (!backend.capabilities.chat && !backend.capabilities.completion)
    missing.push('chat or completion requests');
  const topLogprobs = backend.capabilities.topLogprobs ?? 0;
  if (needs.topLogprobs !== undefined && needs.topLogprobs > topLogprobs) {
    missing.push(
      `the top ${needs.topLogprobs} log-probabilities per token (it gives ${topLogprobs === 0 ? 'none' : `at most ${topLogprobs}`})`,
    );
  }
  if (needs.json && !backend.capabilities.json) missing.push('JSON output');
  return missing;
}

/**
 * The judges one scorer call gets: one per role of the task, each sending through its backend's request
 * path with the task, the sample id and the role as the request's origin. `onError` hears of every failed
 * call (the scorer may catch it; the sample still counts as failed), `onWarning` of every warning an answer
 * carries.
 */
export function judgesForSample(
  task: string,
  sampleId: string,
  paths: Record<string, RequestPath>,
  listeners: { onError: (error: unknown) => void; onWarning: (warning: WarningV1) => void },
): Record<string, JudgeV1> {
  const judges: Record<string, JudgeV1> = {};
  for (const [role, path] of Object.entries(paths)) {
    judges[role] = {
      role,
      backendId: path.backend.id,
      modelId: path.backend.modelId,
      async judge(request, { signal }) {
        const origin = { task, sampleId, turn: request.call ?? 0, generation: 0, role };
        try {
          const { request: sent, warnings } = judgeRequest(
            path.backend,
            request.messages,
            request.parameters,
            origin,
          );
          const result = await path.send(sent, signal);
          const answerWarnings = [...warnings, ...(result.warnings ?? [])];
          for (const warning of answerWarnings) listeners.onWarning(warning);
          return {
            text: result.text,
            ...(result.logprobs ? { logprobs: result.logprobs } : {}),
            finishReason: result.finishReason,
            ...(result.usage ? { usage: result.usage } : {}),
            warnings: answerWarnings,
          };
        } catch (error) {
          listeners.onError(error);
          throw error;
        }
      },
    };
  }
  return judges;
}

/**
 * The request a judge's conversation becomes: a chat request, or for a backend that takes completion
 * requests only (a GGUF model without a chat template) the conversation as plain text, `Role: content` per
 * message and `Assistant:` for the answer to follow, with a warning saying so.
 */
function judgeRequest(
  backend: BackendV1,
  messages: ChatMessageV1[],
  parameters: GenerateRequestV1['parameters'],
  origin: RequestOriginV1,
): { request: GenerateRequestV1; warnings: WarningV1[] } {
  if (backend.capabilities.chat)
    return { request: { type: 'chat', messages, parameters, origin }, warnings: [] };
  const prompt = `${messages.map((message) => `${roleLabels[message.role]}: ${message.content}`).join('\n\n')}\n\n${roleLabels.assistant}:`;
  return {
    request: { type: 'completion', prompt, parameters, origin },
    warnings: [
      {
        type: 'other',
        message: `judge backend ${backend.id} (model ${backend.modelId}) takes no chat requests: the judge's conversation was sent as plain text.`,
      },
    ],
  };
}

const roleLabels: Record<ChatMessageV1['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
};
