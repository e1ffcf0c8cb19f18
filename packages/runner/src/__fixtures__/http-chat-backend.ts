import {
  BackendCallError,
  type BackendV1,
  type GenerateRequestV1,
  type GenerateResultV1,
  retryAfterMsOf,
} from '@evalchemy/core';

/**
 * A minimal backend speaking the OpenAI chat wire format over HTTP, as the contract asks of every API backend:
 * a 429 is not retried but thrown as a rate-limited `BackendCallError` with the server's `retry-after`. The
 * runner cannot import the openai backend (dependency rules); this is the smallest honest client of the
 * test-kit's scripted server.
 */
export function createHttpChatBackend(settings: {
  url: string;
  modelId?: string;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}): BackendV1 {
  const modelId = settings.modelId ?? 'scripted-model';
  return {
    specificationVersion: 'v1',
    id: 'http-chat',
    version: '0.0.0',
    modelId,
    endpoint: settings.url,
    capabilities: {
      chat: true,
      completion: false,
      loglikelihood: false,
      cacheable: false,
      ...(settings.requestsPerMinute !== undefined ? { requestsPerMinute: settings.requestsPerMinute } : {}),
      ...(settings.tokensPerMinute !== undefined ? { tokensPerMinute: settings.tokensPerMinute } : {}),
    },
    describe: () => ({ baseUrl: settings.url }),
    async doGenerate(request: GenerateRequestV1, { signal }): Promise<GenerateResultV1> {
      if (request.type !== 'chat') throw new Error('chat only');
      const response = await fetch(`${settings.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: modelId, messages: request.messages }),
        signal,
      });
      const body = (await response.json()) as {
        choices?: { message: { content: string } }[];
        usage?: { prompt_tokens: number; completion_tokens: number };
      };
      if (!response.ok) {
        throw new BackendCallError(`server answered HTTP ${response.status}`, {
          statusCode: response.status,
          retryAfterMs: retryAfterMsOf(response.headers),
        });
      }
      return {
        text: body.choices?.[0]?.message.content ?? '',
        finishReason: 'stop',
        ...(body.usage
          ? {
              usage: {
                promptTokens: body.usage.prompt_tokens,
                completionTokens: body.usage.completion_tokens,
              },
            }
          : {}),
        warnings: [],
      };
    },
  };
}
