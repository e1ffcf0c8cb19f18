import { tmpdir } from 'node:os';
import type { BackendV1, GenerateRequestV1, RequestOriginV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';

export interface BackendConformanceSettings {
  /** Suite name shown by vitest, e.g. `backend-openai`. */
  name: string;
  /** A fresh backend for each test; it must be able to answer real requests (e.g. against the scripted server). */
  createBackend: () => Promise<BackendV1> | BackendV1;
  /** Whether the backend must claim `loglikelihood` (default: test it when claimed). */
  expectLoglikelihood?: boolean;
}

const origin: RequestOriginV1 = { task: 'conformance', sampleId: '0', turn: 0, generation: 0 };

/** Values in `describe()` output that look like credentials. */
const secretPattern = /\b(sk-[A-Za-z0-9_-]{6,}|hf_[A-Za-z0-9]{10,}|Bearer\s+\S+)|:\/\/[^/\s:@]+:[^/\s@]+@/;

/**
 * Defines vitest tests that check a backend against contract v1: identity fields, lifecycle, a real
 * request for each claimed capability, warnings, abort handling, and that `describe()` holds no secret.
 */
export function runBackendConformance(settings: BackendConformanceSettings): void {
  async function withBackend<T>(use: (backend: BackendV1) => Promise<T>): Promise<T> {
    const backend = await settings.createBackend();
    await backend.doStart?.({ signal: new AbortController().signal, directory: tmpdir() });
    try {
      return await use(backend);
    } finally {
      await backend.doStop?.();
    }
  }

  describe(`${settings.name}: backend conformance (v1)`, () => {
    it('has specificationVersion v1 and string id, version and modelId', async () => {
      const backend = await settings.createBackend();
      expect(backend.specificationVersion).toBe('v1');
      for (const field of ['id', 'version', 'modelId'] as const) {
        expect(typeof backend[field], field).toBe('string');
        expect(backend[field].length, field).toBeGreaterThan(0);
      }
      expect(typeof backend.capabilities.chat).toBe('boolean');
      expect(typeof backend.capabilities.completion).toBe('boolean');
      expect(typeof backend.capabilities.loglikelihood).toBe('boolean');
      expect(typeof backend.capabilities.cacheable).toBe('boolean');
      if (backend.capabilities.loglikelihood) expect(typeof backend.doLoglikelihood).toBe('function');
      if (settings.expectLoglikelihood !== undefined) {
        expect(backend.capabilities.loglikelihood).toBe(settings.expectLoglikelihood);
      }
    });

    it('starts, stops, and tolerates doStop without a finished doStart', async () => {
      await withBackend(async () => undefined);
      const unstarted = await settings.createBackend();
      await unstarted.doStop?.();
    });

    it('answers a chat request with text and a warnings array when it claims chat', async () => {
      await withBackend(async (backend) => {
        if (!backend.capabilities.chat) return;
        const result = await backend.doGenerate(chatRequest(), { signal: new AbortController().signal });
        expect(typeof result.text).toBe('string');
        expect(Array.isArray(result.warnings)).toBe(true);
        expect(['stop', 'length', 'content-filter', 'other']).toContain(result.finishReason);
      });
    });

    it('answers a completion request with text and a warnings array when it claims completion', async () => {
      await withBackend(async (backend) => {
        if (!backend.capabilities.completion) return;
        const request: GenerateRequestV1 = {
          type: 'completion',
          prompt: 'Question: what is 2 + 2?\nAnswer:',
          parameters: { maxTokens: 8, temperature: 0 },
          origin,
        };
        const result = await backend.doGenerate(request, { signal: new AbortController().signal });
        expect(typeof result.text).toBe('string');
        expect(Array.isArray(result.warnings)).toBe(true);
      });
    });

    it('scores a continuation with a finite logprob when it claims loglikelihood', async () => {
      await withBackend(async (backend) => {
        if (!backend.capabilities.loglikelihood || backend.doLoglikelihood === undefined) return;
        const result = await backend.doLoglikelihood(
          { type: 'loglikelihood', context: 'The capital of France is', continuation: ' Paris', origin },
          { signal: new AbortController().signal },
        );
        expect(Number.isFinite(result.logprob)).toBe(true);
        expect(result.logprob).toBeLessThanOrEqual(0);
        expect(typeof result.isGreedy).toBe('boolean');
        expect(Array.isArray(result.warnings)).toBe(true);
      });
    });

    it('rejects a request whose signal is already aborted', async () => {
      await withBackend(async (backend) => {
        const controller = new AbortController();
        controller.abort();
        const request: GenerateRequestV1 = backend.capabilities.chat
          ? chatRequest()
          : { type: 'completion', prompt: 'Hello', parameters: { maxTokens: 4 }, origin };
        await expect(backend.doGenerate(request, { signal: controller.signal })).rejects.toBeDefined();
      });
    });

    it('describes itself and its endpoint without anything that looks like a secret', async () => {
      await withBackend(async (backend) => {
        const description = backend.describe();
        expect(typeof description).toBe('object');
        const text = JSON.stringify(description);
        expect(text).not.toMatch(secretPattern);
        expect(backend.endpoint ?? '').not.toMatch(secretPattern);
      });
    });
  });
}

function chatRequest(): GenerateRequestV1 {
  return {
    type: 'chat',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello.' },
    ],
    parameters: { maxTokens: 16, temperature: 0 },
    origin,
  };
}
