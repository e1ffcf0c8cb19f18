// The foundation issue's "done when" runs, through the built CLI as a user types them:
// re-scoring stored MT-Bench answers with --model replay and a judge on a local OpenAI-compatible server,
// and GSM8K on the embedded llama.cpp backend with the stories260K model.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDatasetsDirectory, sharedModelsDirectory, startScriptedServer } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { evalchemy } from './__fixtures__/evalchemy-cli.js';

const fixtureUrl = new URL(
  '../../benchmarks/mtbench/src/__fixtures__/fastchat-judge-requests.json',
  import.meta.url,
);

interface FastChatRequest {
  question_id: number;
  turn: number;
  model: string;
  temperature: number;
  max_tokens: number;
  messages: { role: string; content: string }[];
}

async function readResults(
  directory: string,
): Promise<{ results: Record<string, Record<string, number>>; [key: string]: unknown }> {
  const name = (await readdir(directory)).find((file) => file.startsWith('results_'))!;
  return JSON.parse(await readFile(join(directory, name), 'utf8'));
}

describe('evalchemy run --model replay --tasks mtbench', () => {
  it('re-scores stored answers with the judge on a local server, sending FastChat-identical judge prompts', async () => {
    const fixture = JSON.parse(await readFile(fixtureUrl, 'utf8')) as {
      answerFile: string;
      judgeModel: string;
      requests: FastChatRequest[];
    };
    // The judge rates turn 1 with 8 and turn 2 with 6, except one question it answers without a rating.
    const judge = await startScriptedServer({
      reply: ({ messages = [] }) => {
        const prompt = messages.at(-1)?.content ?? '';
        if (prompt.includes('Compose an engaging travel blog post about a recent trip to Hawaii'))
          return 'I cannot rate this.';
        return prompt.includes("<|The Start of Assistant A's Conversation with User|>")
          ? 'Rating: [[6]]'
          : 'Rating: [[8]]';
      },
    });
    try {
      const output = await mkdtemp(join(tmpdir(), 'evalchemy-mtbench-'));
      const answers = join(sharedDatasetsDirectory(), fixture.answerFile);
      const result = await evalchemy(
        [
          'run',
          '--model',
          'replay',
          '--model_args',
          `path=${answers}`,
          '--tasks',
          'mtbench',
          '--output_path',
          output,
        ],
        { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url } },
      );
      expect(result.stderr).toContain('[mtbench] 80/80');
      expect(result.exitCode).toBe(0);

      // Every FastChat-rendered judge request of the fixture arrived byte for byte.
      expect(judge.requestCount).toBe(160);
      const received = judge.requests.map(
        (request) => request.body as Omit<FastChatRequest, 'question_id' | 'turn'>,
      );
      for (const expected of fixture.requests) {
        const match = received.find(
          (body) => JSON.stringify(body.messages) === JSON.stringify(expected.messages),
        );
        expect(
          match,
          `judge request for question ${expected.question_id} turn ${expected.turn}`,
        ).toBeDefined();
        expect(match).toMatchObject({
          model: expected.model,
          temperature: expected.temperature,
          max_tokens: expected.max_tokens,
        });
      }

      const results = await readResults(join(output, 'gpt-3.5-turbo'));
      // Question 81's two turns are unparsable and left out: 79 turn-1 ratings of 8, 79 turn-2 ratings of 6.
      expect(results.results.mtbench).toMatchObject({
        score_turn_1: 8,
        score_turn_2: 6,
        score: 7,
        judge_parse_failures: 2,
        judge_errors: 0,
      });
      expect(results.config).toMatchObject({
        annotator_model: 'auto',
        judges: { mtbench: { judge: { backend: 'openai', model: 'gpt-4' } } },
      });
    } finally {
      await judge.close();
    }
  });
});

describe('evalchemy run --model llamacpp --tasks gsm8k', () => {
  it('runs GSM8K end to end on the stories260K GGUF model in-process', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-llamacpp-'));
    const model = join(sharedModelsDirectory(), 'stories260K.gguf');
    const result = await evalchemy([
      'run',
      '--model',
      'llamacpp',
      '--model_args',
      `model=${model},threads=1`,
      '--tasks',
      'gsm8k',
      '--limit',
      '2',
      '--max_tokens',
      '32',
      '--output_path',
      output,
    ]);
    expect(result.exitCode).toBe(0);
    const directory = join(output, (await readdir(output))[0]!);
    const results = await readResults(directory);
    expect(results['n-samples']).toEqual({ gsm8k: { effective: 2, scored: 2, failed: 0 } });
    expect(results.results.gsm8k).toHaveProperty('exact_match_flexible');
    const samples = (await readdir(directory)).find((file) => file.startsWith('samples_gsm8k_'))!;
    const records = (await readFile(join(directory, samples), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(2);
    // A model without a chat template gets lm-eval's 5-shot completion prompt and writes some text.
    expect(records[0].prompt.type).toBe('completion');
    expect(records[0].prompt.prompt).toMatch(/^Question: Jen and Tyler are gymnasts practicing flips\./);
    expect(records[0].responses[0][0].text.length).toBeGreaterThan(0);
  });
});
