import { describe, expect, it } from 'vitest';
import { isReasoningModel, normaliseParameters } from './openai-parameters.js';

const openAI = {
  model: 'gpt-4o-mini',
  baseUrl: 'https://api.openai.com/v1',
  maxTokensParameter: 'max_tokens',
  requestType: 'chat',
} as const;

describe('normaliseParameters', () => {
  it('sends only the first 4 stop strings to api.openai.com and warns', () => {
    const { body, warnings } = normaliseParameters({ stop: ['1', '2', '3', '4', '5'] }, openAI);
    expect(body.stop).toEqual(['1', '2', '3', '4']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ type: 'unsupported-setting', setting: 'stop' });
  });

  it('leaves out parameters that were not set', () => {
    expect(normaliseParameters({}, openAI).body).toEqual({});
  });

  it('recognises OpenAI reasoning model families', () => {
    for (const model of [
      'o1',
      'o1-mini',
      'o3-mini-2025-01-31',
      'o4-mini',
      'gpt-5',
      'gpt-5-nano',
      'openai/o3',
    ]) {
      expect(isReasoningModel(model), model).toBe(true);
    }
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'llama-3-o1', 'olmo-2']) {
      expect(isReasoningModel(model), model).toBe(false);
    }
  });
});
