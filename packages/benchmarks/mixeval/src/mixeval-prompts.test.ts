import { createHash } from 'node:crypto';
import type { LoadContextV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { gemmaResponseFiles, readGemmaResponses } from './__fixtures__/gemma-responses.js';
import {
  buildBaseModelPrompt,
  buildFreeFormJudgeMessages,
  buildFreeFormPrompt,
  buildMultipleChoiceJudgeMessages,
  buildMultipleChoicePrompt,
  createMixEval,
  type MixEvalBenchmarkName,
  type MixEvalOptions,
  type MixEvalSampleData,
} from './index.js';

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

async function load(benchmark: MixEvalBenchmarkName, options: Record<string, unknown> = {}) {
  const plugin = createMixEval({ benchmark });
  const context: LoadContextV1<MixEvalOptions> = {
    options: plugin.optionsSchema.parse(options),
    datasets,
    seed: 0,
    log: createRecordingLogger(),
  };
  const source = await plugin.doLoad(context);
  return [...(source.samples as Iterable<SampleV1<MixEvalSampleData>>)];
}

describe('formated_input', () => {
  it('rebuilds all 5000 prompts MixEval sent gemma-1.1-7b-it (2024-06-01), byte for byte', async () => {
    let compared = 0;
    for (const benchmark of ['mixeval', 'mixeval_hard'] as const) {
      const samples = await load(benchmark);
      for (const split of ['free-form', 'multiple-choice'] as const) {
        const stored = await readGemmaResponses(datasets, gemmaResponseFiles[benchmark][split]);
        const ofSplit = samples.filter((sample) => sample.data.split === split);
        expect(ofSplit).toHaveLength(stored.size);
        const mismatches: string[] = [];
        for (const sample of ofSplit) {
          const row = stored.get(sample.data.id);
          expect(row, `${benchmark} ${split} item ${sample.data.id} has a stored response`).toBeDefined();
          if (row!.formated_input !== sample.data.formattedInput) mismatches.push(sample.id);
          expect(row!.benchmark_name).toBe(sample.data.benchmark_name);
          compared++;
        }
        expect(mismatches, `${benchmark} ${split}`).toEqual([]);
      }
    }
    expect(compared).toBe(5000);
  });

  it('loads 2000 + 2000 (2024-06-01) and 2000 + 1995 (2024-08-11) MixEval items, 500 + 500 MixEval-Hard', async () => {
    const count = (samples: SampleV1<MixEvalSampleData>[], split: string) =>
      samples.filter((sample) => sample.data.split === split).length;
    const june = await load('mixeval');
    expect([count(june, 'free-form'), count(june, 'multiple-choice')]).toEqual([2000, 2000]);
    const august = await load('mixeval', { version: '2024-08-11' });
    expect([count(august, 'free-form'), count(august, 'multiple-choice')]).toEqual([2000, 1995]);
    const hard = await load('mixeval_hard', { version: '2024-08-11' });
    expect([count(hard, 'free-form'), count(hard, 'multiple-choice')]).toEqual([500, 500]);
    expect(august.some((sample) => sample.data.benchmark_name === 'MMLU-Pro')).toBe(true);
  });

  it('asks BBH, GSM8k and MATH step by step and puts a context before the question', () => {
    const base = { context: null, prompt: 'What is 2+2?' };
    expect(buildFreeFormPrompt({ ...base, benchmark_name: 'GSM8k' })).toBe(
      "Question: What is 2+2?\nAnswer the question. \nLet's think step by step.",
    );
    expect(buildFreeFormPrompt({ ...base, benchmark_name: 'TriviaQA' })).toBe(
      'Question: What is 2+2?\nAnswer the question shortly.',
    );
    expect(buildFreeFormPrompt({ ...base, context: 'Some text.', benchmark_name: 'DROP' })).toBe(
      'Question: Some text.\nWhat is 2+2?\nAnswer the question shortly.',
    );
  });

  it('leaves out a context that is null, "None", "null" or spaces only, as str(context) tests', () => {
    const item = { prompt: 'Pick one.', benchmark_name: 'MMLU', options: ['x', 'y'] };
    const bare = 'Pick one.\nA. x\nB. y\nAnswer with the option letter from the given choices directly.';
    for (const context of [null, 'None', 'NULL', '   ']) {
      expect(buildMultipleChoicePrompt({ ...item, context })).toBe(bare);
    }
    expect(buildMultipleChoicePrompt({ ...item, context: '\n' })).toBe(`\n\n${bare}`);
  });

  it("gives a base model MixEval's five-shot prefix (with Python's \\f and \\t escapes) and a newline", () => {
    const prompt = buildBaseModelPrompt('free-form', 'Question: Why?\nAnswer the question shortly.');
    expect(
      prompt.startsWith('Question: The volume of a cone is given by the formula $V = \frac{1}{3}Bh$'),
    ).toBe(true);
    expect(prompt).toContain('$V = \frac{1}{3} \times 30 \times 6.5$');
    expect(prompt.endsWith('34\n\n\nQuestion: Why?\nAnswer the question shortly.\n')).toBe(true);
    expect(buildBaseModelPrompt('multiple-choice', 'Q\nA. a')).toMatch(
      /^According to cell classification.*\nA\n\nQ\nA\. a\n$/s,
    );
  });
});

/** sha256 of a conversation as `role\0content\0` per message. */
function digest(messages: { role: string; content: string }[]): string {
  return createHash('sha256')
    .update(messages.map((message) => `${message.role}\0${message.content}\0`).join(''))
    .digest('hex');
}

describe('parser judge prompts', () => {
  // The hashes were computed by running MixEval's own prompt functions once (python3, Psycoy/MixEval@7c52b419,
  // mix_eval/prompts/judge_prompts.py):
  //   ff = gpt_judge_for_closeended_freeform("what car was used in the movie christine",
  //          '; '.join(f"<answer {i+1}> {a}" for i, a in enumerate(["a vintage 1958 Plymouth Fury", "1958 Plymouth Fury"])),
  //          "Christine.")
  //   mc = gpt_judge_for_closeended_multiplechoice("Which solution is correct?",
  //          "\n".join(f"{chr(65+i)}. {o}" for i, o in enumerate(["provide homes for people", "provide homes for animals"])), "B")
  //   sha256("".join(m["role"] + "\0" + m["content"] + "\0" for m in ff or mc))
  it("builds the free-form judge conversation MixEval's Python builds", () => {
    const messages = buildFreeFormJudgeMessages(
      'what car was used in the movie christine',
      ['a vintage 1958 Plymouth Fury', '1958 Plymouth Fury'],
      'Christine.',
    );
    expect(digest(messages)).toBe('7ffb716df5f51f025b32e79d711475b20aa369b1a462223346d56724e76b6307');
    expect(messages[1]!.content).toMatch(
      /Question: what car was used in the movie christine\nGolden Answer\(s\): <answer 1> a vintage 1958 Plymouth Fury; <answer 2> 1958 Plymouth Fury\nModel's Answer: Christine\.\nYour Judgment: \n$/,
    );
  });

  it("builds the multiple-choice judge conversation MixEval's Python builds", () => {
    const messages = buildMultipleChoiceJudgeMessages(
      'Which solution is correct?',
      ['provide homes for people', 'provide homes for animals'],
      'B',
    );
    expect(digest(messages)).toBe('018b6f6fcb98492ef60e962c3e9af54b0f3a0ffed79f806f1047c5603e367eff');
    expect(messages[0]).toEqual({
      role: 'system',
      content: 'In this task, I want you to act as an option extractor.',
    });
  });

  it('inserts answers verbatim, braces and placeholders included', () => {
    const messages = buildFreeFormJudgeMessages('{prompt}', ['{gold_ans}'], '{response} $& $1');
    expect(messages[1]!.content).toContain(
      "Question: {prompt}\nGolden Answer(s): <answer 1> {gold_ans}\nModel's Answer: {response} $& $1\nYour Judgment: \n",
    );
  });
});
