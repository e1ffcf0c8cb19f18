import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackendCallError,
  ConfigurationError,
  type GenerateRequestV1,
  type RequestOriginV1,
} from '@evalchemy/core';
import { runBackendConformance, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import replayProvider, { createReplayBackend, type ReplayBackend } from './index.js';

const fixture = join(import.meta.dirname, '__fixtures__', 'responses.jsonl');
const mtBenchAnswers = join(sharedDatasetsDirectory(), 'mtbench', 'model_answer', 'gpt-4.jsonl');
const call = { signal: new AbortController().signal };

function chat(
  origin: Partial<RequestOriginV1> & { task: string; sampleId: string },
  content = 'ignored by replay',
): GenerateRequestV1 {
  return {
    type: 'chat',
    messages: [{ role: 'user', content }],
    parameters: { temperature: 0 },
    origin: { turn: 0, generation: 0, ...origin },
  };
}

async function started(
  path: string,
  options: { model?: string; task?: string } = {},
): Promise<ReplayBackend> {
  const backend = createReplayBackend({ path, ...options });
  await backend.doStart();
  return backend;
}

async function writeTemporary(lines: string[]): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-replay-'));
  const path = join(directory, 'answers.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('replay backend: evalchemy records', () => {
  it('answers chat and completion requests by task, sample id and generation', async () => {
    const backend = await started(fixture);
    const first = await backend.doGenerate(chat({ task: 'gsm8k', sampleId: '0' }), call);
    expect(first.text).toBe('She sells 16 - 3 - 4 = 9 eggs. The answer is 18.');
    expect(first.finishReason).toBe('stop');
    const second = await backend.doGenerate(
      {
        type: 'completion',
        prompt: 'x',
        parameters: {},
        origin: { task: 'gsm8k', sampleId: '1', turn: 0, generation: 1 },
      },
      call,
    );
    expect(second.text).toBe('The answer is 4.');
    const code = await backend.doGenerate(chat({ task: 'humaneval', sampleId: 'HumanEval/0' }), call);
    expect(code.text).toContain('return any(');
    await backend.doStop();
  });

  it('names the model after the file unless model is given, and describes the file', async () => {
    const backend = await started(fixture);
    expect(backend.modelId).toBe('responses');
    expect(backend.describe()).toMatchObject({ path: fixture, recordCount: 5 });
    expect(createReplayBackend({ path: fixture, model: 'my-model' }).modelId).toBe('my-model');
  });

  it('fails a sample without a response with a non-retryable error naming the key and the file', async () => {
    const backend = await started(fixture);
    const failure = await backend
      .doGenerate(chat({ task: 'gsm8k', sampleId: '1', turn: 0, generation: 2 }), call)
      .catch((error: unknown) => error);
    expect(BackendCallError.isInstance(failure)).toBe(true);
    expect((failure as BackendCallError).isRetryable).toBe(false);
    expect((failure as Error).message).toContain('task "gsm8k", sample_id "1", turn 0, generation 2');
    expect((failure as Error).message).toContain(fixture);
  });

  it('rejects a malformed line with a ConfigurationError naming the file and line number', async () => {
    const path = await writeTemporary([
      '{"task": "gsm8k", "sample_id": "0", "response": "a"}',
      '{"task": "gsm8k", "sample_id": "1", "respones": "typo"}',
    ]);
    const failure = await started(path).catch((error: unknown) => error);
    expect(ConfigurationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain(`${path} line 2`);
    expect((failure as Error).message).toContain('response');
  });

  it('rejects a line that is not JSON, naming its line number', async () => {
    const path = await writeTemporary([
      '{"task": "gsm8k", "sample_id": "0", "response": "a"}',
      '',
      '{not json',
    ]);
    await expect(started(path)).rejects.toThrow(`${path} line 3 is not valid JSON`);
  });

  it('rejects duplicate keys, naming them and their lines', async () => {
    const path = await writeTemporary([
      '{"task": "gsm8k", "sample_id": "7", "response": "a"}',
      '{"task": "gsm8k", "sample_id": 7, "turn": 0, "generation": 0, "response": "b"}',
    ]);
    const failure = await started(path).catch((error: unknown) => error);
    expect(ConfigurationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain(
      'task "gsm8k", sample_id "7", turn 0, generation 0 (lines 1 and 2)',
    );
  });

  it('rejects a missing file with a ConfigurationError', async () => {
    const failure = await started('/nonexistent/answers.jsonl').catch((error: unknown) => error);
    expect(ConfigurationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('/nonexistent/answers.jsonl');
  });
});

describe('replay backend: FastChat MT-Bench answer files', () => {
  it('reads every turn of every question of gpt-4.jsonl as task mtbench', async () => {
    const backend = await started(mtBenchAnswers);
    expect(backend.modelId).toBe('gpt-4');
    // 80 questions, 2 turns each, one choice.
    expect(backend.describe()).toMatchObject({ recordCount: 160 });
    const firstTurn = await backend.doGenerate(chat({ task: 'mtbench', sampleId: '81' }), call);
    expect(firstTurn.text.startsWith('Title: Aloha, Hawaii!')).toBe(true);
    const secondTurn = await backend.doGenerate(chat({ task: 'mtbench', sampleId: '81', turn: 1 }), call);
    expect(secondTurn.text).not.toBe(firstTurn.text);
    expect(secondTurn.text.length).toBeGreaterThan(0);
    await expect(
      backend.doGenerate(chat({ task: 'mtbench', sampleId: '81', turn: 2 }), call),
    ).rejects.toThrow('turn 2');
  });

  it('files MT-Bench lines under the task option, and treats each choice as a generation', async () => {
    const path = await writeTemporary([
      JSON.stringify({
        question_id: 101,
        model_id: 'm',
        choices: [
          { index: 0, turns: ['first answer', 'first follow-up'] },
          { index: 1, turns: ['second answer', 'second follow-up'] },
        ],
      }),
      '{"task": "gsm8k", "sample_id": "0", "response": "mixed formats are detected per line"}',
    ]);
    const backend = await started(path, { task: 'mtbench_custom' });
    const reply = await backend.doGenerate(
      chat({ task: 'mtbench_custom', sampleId: '101', turn: 1, generation: 1 }),
      call,
    );
    expect(reply.text).toBe('second follow-up');
    const other = await backend.doGenerate(chat({ task: 'gsm8k', sampleId: '0' }), call);
    expect(other.text).toBe('mixed formats are detected per line');
    await expect(backend.doGenerate(chat({ task: 'mtbench', sampleId: '101' }), call)).rejects.toThrow(
      'task "mtbench"',
    );
  });

  it('rejects an MT-Bench line without turns, naming the line', async () => {
    const path = await writeTemporary(['{"question_id": 5, "choices": [{"index": 0}]}']);
    await expect(started(path)).rejects.toThrow(`${path} line 1 is not a FastChat MT-Bench answer`);
  });
});

describe('replay backend: evalchemy samples files', () => {
  const promptOf = {
    type: 'chat',
    system: null,
    history_messages: 0,
    turns: ['q1', 'q2'],
    parameters: {},
    generations: 2,
  };
  const turn = (text: string) => ({ text, finish_reason: 'stop', usage: null });

  it('replays every generation and turn of a samples file, so a run can be re-scored with another judge', async () => {
    const path = await writeTemporary([
      JSON.stringify({
        task: 'mtbench',
        sample_id: '81',
        index: 0,
        metadata: {},
        prompt: promptOf,
        responses: [
          [turn('g0 t0'), turn('g0 t1')],
          [turn('g1 t0'), turn('g1 t1')],
        ],
        metrics: { score: 8 },
      }),
      // A sample whose model call failed has no responses: nothing to replay, not an error.
      JSON.stringify({
        task: 'mtbench',
        sample_id: '82',
        index: 1,
        metadata: {},
        prompt: promptOf,
        error: 'HTTP 500',
      }),
      // A loglikelihood sample records scores, not answers.
      JSON.stringify({
        task: 'mmlu',
        sample_id: '0',
        index: 0,
        metadata: {},
        prompt: { type: 'loglikelihood', context: 'Q', continuations: [' A', ' B'] },
        responses: [
          { logprob: -1, is_greedy: true },
          { logprob: -2, is_greedy: false },
        ],
      }),
    ]);
    const backend = await started(path, { model: 'm' });
    expect(backend.describe()).toMatchObject({ recordCount: 4 });
    expect(
      (await backend.doGenerate(chat({ task: 'mtbench', sampleId: '81', turn: 1, generation: 1 }), call))
        .text,
    ).toBe('g1 t1');
    await expect(backend.doGenerate(chat({ task: 'mtbench', sampleId: '82' }), call)).rejects.toThrow(
      'sample_id "82"',
    );
  });

  it('rejects a samples-file line whose responses are malformed, naming the line', async () => {
    const path = await writeTemporary([
      JSON.stringify({
        task: 'gsm8k',
        sample_id: '0',
        index: 0,
        prompt: promptOf,
        responses: [[{ txt: 'typo' }]],
      }),
    ]);
    await expect(started(path)).rejects.toThrow(`${path} line 1 is not a samples-file line`);
  });
});

describe('replay backend: AlpacaEval outputs files', () => {
  const claudeOutputs = join(
    sharedDatasetsDirectory(),
    'alpacaeval',
    'model_outputs',
    'claude-2.1',
    'model_outputs.json',
  );

  it("answers each instruction with the file's output, named after the model's folder", async () => {
    const backend = await started(claudeOutputs);
    expect(backend.modelId).toBe('claude-2.1');
    expect(backend.describe()).toMatchObject({ recordCount: 805 });
    const request = chat(
      { task: 'alpaca_eval', sampleId: '0' },
      'What are the names of some famous actors that started their careers on Broadway?',
    );
    const reply = await backend.doGenerate(request, call);
    expect(reply.text.startsWith('Here are some famous actors who got their start on Broadway')).toBe(true);
    await expect(backend.doGenerate(chat({ task: 'alpaca_eval', sampleId: '1' }), call)).rejects.toThrow(
      'has no response for task "alpaca_eval", sample_id "1"',
    );
  });

  it('rejects an entry without an output, naming its position', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-replay-'));
    const path = join(directory, 'model_outputs.json');
    await writeFile(path, JSON.stringify([{ instruction: 'a', output: 'b' }, { instruction: 'c' }]));
    await expect(started(path)).rejects.toThrow(`${path} entry 1 is not an AlpacaEval output: output:`);
  });
});

describe('replay provider', () => {
  it('parses --model_args strings and rejects unknown keys', () => {
    expect(replayProvider.optionsSchema.parse({ path: fixture })).toEqual({ path: fixture, task: 'mtbench' });
    expect(() => createReplayBackend({ path: fixture, file: 'x' } as never)).toThrow('unknown option "file"');
  });
});

runBackendConformance({
  name: 'backend-replay',
  createBackend: () => createReplayBackend({ path: fixture }),
  expectLoglikelihood: false,
});
