import type { JudgeV1, LoadContextV1, SampleV1, ScoreContextV1, ScoredSampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { gemmaResponseFiles, readGemmaResponses } from './__fixtures__/gemma-responses.js';
import referenceScores from './__fixtures__/mixeval-reference-scores.json' with { type: 'json' };
import {
  aggregateMixEval,
  createMixEval,
  fallbackVerdict,
  type MixEvalBenchmarkName,
  type MixEvalOptions,
  type MixEvalSampleData,
} from './index.js';

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());
const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};
const completionBackend = {
  ...chatBackend,
  capabilities: { ...chatBackend.capabilities, chat: false, completion: true },
};

async function load(benchmark: MixEvalBenchmarkName = 'mixeval', seed = 0) {
  const plugin = createMixEval({ benchmark });
  const context: LoadContextV1<MixEvalOptions> = {
    options: plugin.optionsSchema.parse({}),
    datasets,
    seed,
    log: createRecordingLogger(),
  };
  const source = await plugin.doLoad(context);
  return { plugin, samples: [...(source.samples as Iterable<SampleV1<MixEvalSampleData>>)] };
}

function answer(text: string) {
  return {
    type: 'generate' as const,
    generations: [[{ text, finishReason: 'stop' as const, warnings: [] }]],
  };
}

function scoreContext(
  plugin: ReturnType<typeof createMixEval>,
  sample: SampleV1<MixEvalSampleData>,
  judges: Record<string, JudgeV1>,
  backend = chatBackend,
  options: Record<string, unknown> = {},
): ScoreContextV1<MixEvalOptions> {
  const parsed = plugin.optionsSchema.parse(options);
  return {
    options: parsed,
    plan: plugin.doPlan(sample, { options: parsed, backend }),
    judges,
    signal: new AbortController().signal,
    log: createRecordingLogger(),
  };
}

// The judge that __fixtures__/run-mixeval-reference.py scripts into MixEval's own scoring code: per item id n
// and parse round, an answer, some unparsable in the first rounds.
const scores = ['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0'];
function freeFormJudgment(n: number, round: number): string {
  if (n % 13 === 0 && round === 0) return 'The answer is close; no score given.';
  if (n % 29 === 0 && round < 2) return 'The correctness score: [[1.5]].';
  const score = scores[(n * 7) % 11];
  if (n % 17 === 0) return `Reasoning. The correctness score: [${score}].`;
  return `Reasoning [[x]]. The correctness score: [[${score}]].`;
}
function multipleChoiceJudgment(n: number, round: number, options: number): string {
  if (n % 11 === 0 && round === 0) return 'The option chosen by the model: [[?]]';
  if (n % 23 === 0 && round < 3) return 'none of them';
  const letter = String.fromCharCode(65 + ((n * 3) % options));
  if (n % 19 === 0) return `The option chosen by the model: [${letter}].`;
  return `The option chosen by the model: [[${letter}]].`;
}

function scriptedJudges(item: MixEvalSampleData) {
  const n = Number(item.id);
  return {
    freeform_judge: createScriptedJudge({
      role: 'freeform_judge',
      answer: (request) => freeFormJudgment(n, request.call ?? 0),
    }),
    multichoice_judge: createScriptedJudge({
      role: 'multichoice_judge',
      answer: (request) => multipleChoiceJudgment(n, request.call ?? 0, item.options?.length ?? 0),
    }),
  };
}

// Expected numbers: __fixtures__/mixeval-reference-scores.json, MixEval's own compute_metric run on these answers
// (in data order, as Evalchemy writes them) with the judge above; how to re-run it is in
// __fixtures__/run-mixeval-reference.py. In the order of MixEval's published response files (the order the
// answers came back) MixEval-Hard's BBH comes out 0.513 instead of 0.512: its 16 scores sum to 8.2 give or take
// one ulp, 0.5125 is a midpoint of round(x, 3), and the summation order decides.
describe("scoring gemma-1.1-7b-it's stored answers against MixEval's own code", () => {
  for (const benchmark of ['mixeval', 'mixeval_hard'] as const) {
    it(`gives ${benchmark}'s numbers of MixEval's compute_metric to the last digit, with the same parse rounds`, async () => {
      const { plugin, samples } = await load(benchmark);
      const stored = {
        'free-form': await readGemmaResponses(datasets, gemmaResponseFiles[benchmark]['free-form']),
        'multiple-choice': await readGemmaResponses(
          datasets,
          gemmaResponseFiles[benchmark]['multiple-choice'],
        ),
      };
      const scored: ScoredSampleV1[] = [];
      let unparsable = 0;
      for (const sample of samples) {
        const response = stored[sample.data.split].get(sample.data.id)!.response;
        const score = await plugin.doScore(
          sample,
          answer(response),
          scoreContext(plugin, sample, scriptedJudges(sample.data)),
        );
        unparsable += Object.values(score.judgeAudit ?? {}).reduce((sum, audit) => sum + audit.unparsable, 0);
        scored.push({ id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics });
      }
      const reference = referenceScores[benchmark];
      const metrics = plugin.doAggregate(scored);
      const value = (key: string) => {
        const metric = metrics[key];
        return typeof metric === 'number' ? metric : metric?.value;
      };
      expect(value('score')).toBe(reference.score.overall);
      expect(value('score_free_form')).toBe(reference.free_form_overall);
      expect(value('score_multiple_choice')).toBe(reference.multiple_choice_overall);
      for (const [name, score] of Object.entries(reference.score)) {
        if (name !== 'overall') expect({ name, score: value(`score_${name}`) }).toEqual({ name, score });
      }
      const benchmarkKeys = Object.keys(metrics).filter(
        (key) => key.startsWith('score_') && key !== 'score_free_form' && key !== 'score_multiple_choice',
      );
      expect(benchmarkKeys).toHaveLength(Object.keys(reference.score).length - 1);
      expect(metrics.judge_calls).toBe(reference.judge_calls);
      expect(unparsable).toBe(0);
    });
  }
});

describe('the parser judge', () => {
  it("asks the free-form judge with the item's prompt, golden answers and the answer, and reads [[score]]", async () => {
    const { plugin, samples } = await load();
    const sample = samples.find(
      (candidate) => candidate.data.split === 'free-form' && candidate.data.context !== null,
    )!;
    const judge = createScriptedJudge({
      role: 'freeform_judge',
      answer: 'Close. The correctness score: [[0.7]].',
    });
    const score = await plugin.doScore(
      sample,
      answer('My answer'),
      scoreContext(plugin, sample, { freeform_judge: judge }),
    );
    expect(score.metrics).toEqual({ score: 0.7, parser_fallback: 0, judge_calls: 1 });
    expect(score.extracted).toBe(0.7);
    expect(score.judgeAudit).toEqual({ freeform_judge: { verdicts: 1, unparsable: 0 } });
    const request = judge.requests[0]!;
    expect(request.parameters).toEqual({ maxTokens: 999 });
    const user = request.messages[1]!.content;
    // The judge sees the question without its context.
    expect(user).toContain(
      `\nQuestion: ${sample.data.prompt}\nGolden Answer(s): <answer 1> ${sample.data.target[0]}`,
    );
    expect(user).not.toContain(sample.data.context!);
    expect(user.endsWith("Model's Answer: My answer\nYour Judgment: \n")).toBe(true);
  });

  it('asks again, as a new request, until the verdict parses: unparsable and out-of-range scores are retried', async () => {
    const { plugin, samples } = await load();
    const sample = samples.find((candidate) => candidate.data.split === 'free-form')!;
    const judge = createScriptedJudge({
      role: 'freeform_judge',
      answer: (_request, index) => ['No idea.', 'The correctness score: [[7]]', 'Score: [[0.4]]'][index]!,
    });
    const score = await plugin.doScore(
      sample,
      answer('x'),
      scoreContext(plugin, sample, { freeform_judge: judge }),
    );
    expect(score.metrics).toEqual({ score: 0.4, parser_fallback: 0, judge_calls: 3 });
    expect(judge.requests.map((request) => request.call)).toEqual([0, 1, 2]);
    expect(judge.requests.map((request) => request.parameters.seed)).toEqual([undefined, 1, 2]);
    expect(new Set(judge.requests.map((request) => JSON.stringify(request.messages))).size).toBe(1);
    expect(score.details?.judgments).toEqual(['No idea.', 'The correctness score: [[7]]', 'Score: [[0.4]]']);
    expect(score.judgeAudit).toEqual({ freeform_judge: { verdicts: 1, unparsable: 0 } });
  });

  it('after 10 unparsable rounds assigns a seeded random score, counted as unparsable and warned about', async () => {
    const { plugin, samples } = await load();
    const sample = samples.find((candidate) => candidate.data.split === 'free-form')!;
    const judge = createScriptedJudge({ role: 'freeform_judge', answer: 'I cannot judge this.' });
    const score = await plugin.doScore(
      sample,
      answer('x'),
      scoreContext(plugin, sample, { freeform_judge: judge }),
    );
    expect(judge.requests).toHaveLength(10);
    expect(score.metrics.parser_fallback).toBe(1);
    expect(score.metrics.judge_calls).toBe(10);
    expect(score.judgeAudit).toEqual({ freeform_judge: { verdicts: 1, unparsable: 1 } });
    const assigned = score.metrics.score!;
    expect(scores.map(Number)).toContain(assigned);
    expect(assigned).toBe(fallbackVerdict(sample.data));
    expect(score.details?.fallback).toBe(assigned);
    expect(score.warnings).toEqual([
      { type: 'other', message: expect.stringMatching(/no valid verdict in 10 rounds/) },
    ]);
    // Same run seed, same draw; the draws spread over the scale.
    const again = await plugin.doScore(
      sample,
      answer('x'),
      scoreContext(plugin, sample, { freeform_judge: judge }),
    );
    expect(again.metrics.score).toBe(assigned);
    const draws = new Set(samples.slice(0, 200).map((other) => fallbackVerdict(other.data)));
    expect(draws.size).toBeGreaterThan(6);
  });

  it('stops after parse_rounds rounds when the option says so', async () => {
    const { plugin, samples } = await load();
    const sample = samples.find((candidate) => candidate.data.split === 'multiple-choice')!;
    const judge = createScriptedJudge({ role: 'multichoice_judge', answer: 'unclear' });
    const score = await plugin.doScore(
      sample,
      answer('x'),
      scoreContext(plugin, sample, { multichoice_judge: judge }, chatBackend, { parse_rounds: 3 }),
    );
    expect(judge.requests).toHaveLength(3);
    expect(score.judgeAudit).toEqual({ multichoice_judge: { verdicts: 1, unparsable: 1 } });
    const letters = sample.data.options!.map((_, index) => String.fromCharCode(65 + index));
    expect(letters).toContain(score.extracted);
    expect(score.metrics.score).toBe(score.extracted === score.details?.target_option ? 1 : 0);
  });

  it('scores a multiple-choice answer 1 when the extracted letter is the target, 0 otherwise (even a letter past the options)', async () => {
    const { plugin, samples } = await load();
    const sample = samples.find(
      (candidate) => candidate.data.split === 'multiple-choice' && candidate.data.options!.length === 4,
    )!;
    const target = String.fromCharCode(65 + Number(sample.data.target[0]));
    const wrong = target === 'A' ? 'B' : 'A';
    for (const [letter, expected] of [
      [target, 1],
      [wrong, 0],
      ['E', 0],
    ] as const) {
      const judge = createScriptedJudge({
        role: 'multichoice_judge',
        answer: `The option chosen by the model: [[${letter}]].`,
      });
      const score = await plugin.doScore(
        sample,
        answer('x'),
        scoreContext(plugin, sample, { multichoice_judge: judge }),
      );
      expect({ letter, score: score.metrics.score, calls: judge.requests.length }).toEqual({
        letter,
        score: expected,
        calls: 1,
      });
    }
    const judge = createScriptedJudge({ role: 'multichoice_judge', answer: '[[A]]' });
    await plugin.doScore(sample, answer('A'), scoreContext(plugin, sample, { multichoice_judge: judge }));
    const user = judge.requests[0]!.messages[1]!.content;
    const options = sample.data
      .options!.map((option, index) => `${String.fromCharCode(65 + index)}. ${option}`)
      .join('\n');
    expect(user).toContain(
      `\nQuestion: ${sample.data.prompt}\nOptions: \n${options}\nModel's Answer: A\nYour Judgment: \n`,
    );
  });

  it("judges only a base model's first answer, not the questions it goes on to invent", async () => {
    const { plugin, samples } = await load();
    const sample = samples.find((candidate) => candidate.data.split === 'multiple-choice')!;
    const judge = createScriptedJudge({ role: 'multichoice_judge', answer: '[[B]]' });
    const rambling = 'B\n\nQuestion: Which is larger?\nA. 1\nB. 2';
    const score = await plugin.doScore(
      sample,
      answer(rambling),
      scoreContext(plugin, sample, { multichoice_judge: judge }, completionBackend),
    );
    expect(judge.requests[0]!.messages[1]!.content).toContain("Model's Answer: B\nYour Judgment: \n");
    expect(score.details?.judged_response).toBe('B');
    const chatJudge = createScriptedJudge({ role: 'multichoice_judge', answer: '[[B]]' });
    await plugin.doScore(
      sample,
      answer(rambling),
      scoreContext(plugin, sample, { multichoice_judge: chatJudge }),
    );
    expect(chatJudge.requests[0]!.messages[1]!.content).toContain(
      `Model's Answer: ${rambling}\nYour Judgment: \n`,
    );
  });

  it('fails the sample when its judge call fails, and when no judge is configured', async () => {
    const { plugin, samples } = await load();
    const sample = samples.find((candidate) => candidate.data.split === 'free-form')!;
    const failing = createScriptedJudge({
      role: 'freeform_judge',
      answer: () => {
        throw new Error('judge server answered HTTP 503 (after 5 retries)');
      },
    });
    await expect(
      plugin.doScore(sample, answer('x'), scoreContext(plugin, sample, { freeform_judge: failing })),
    ).rejects.toThrow(/HTTP 503/);
    await expect(plugin.doScore(sample, answer('x'), scoreContext(plugin, sample, {}))).rejects.toThrow(
      /freeform_judge/,
    );
  });
});

function scored(split: string, benchmark: string, index: number, score: number, calls = 1): ScoredSampleV1 {
  return {
    id: `${split}/${index}`,
    metadata: { split, benchmark_name: benchmark, index },
    metrics: { score, parser_fallback: 0, judge_calls: calls },
  };
}

describe('aggregateMixEval', () => {
  const samples = [
    scored('free-form', 'TriviaQA', 0, 1),
    scored('free-form', 'TriviaQA', 1, 0.5, 2),
    scored('free-form', 'TriviaQA', 2, 0),
    scored('free-form', 'DROP', 3, 0.3),
    scored('multiple-choice', 'MMLU', 0, 1),
    scored('multiple-choice', 'MMLU', 1, 0),
    scored('multiple-choice', 'MMLU', 2, 0),
  ];
  const metrics = aggregateMixEval(samples);

  it('scores each split overall and rounds it to 3 decimals', () => {
    expect(metrics.score_free_form).toMatchObject({ value: 0.45 }); // (1 + 0.5 + 0 + 0.3) / 4
    expect(metrics.score_multiple_choice).toMatchObject({ value: 0.333 }); // 1/3 rounded
  });

  it('weights the rounded split scores by their item counts for the overall score', () => {
    // 0.45 * 4/7 + 0.333 * 3/7 = (1.8 + 0.999) / 7 = 0.399857142857…
    expect((metrics.score as { value: number }).value).toBeCloseTo(0.399857142857143, 14);
    expect(metrics.score).toMatchObject({ value: 0.45 * (4 / 7) + 0.333 * (3 / 7) });
  });

  it('scores each source benchmark over both splits', () => {
    expect(metrics.score_TriviaQA).toBe(0.5);
    expect(metrics.score_DROP).toBe(0.3);
    expect(metrics.score_MMLU).toBe(0.333);
  });

  it("rounds an exact midpoint to even, as Python's round: 1 right of 16 is 0.062", () => {
    const sixteen = Array.from({ length: 16 }, (_, index) =>
      scored('multiple-choice', 'ARC', index, index === 0 ? 1 : 0),
    );
    const result = aggregateMixEval(sixteen);
    expect(result.score_multiple_choice).toMatchObject({ value: 0.062 });
    expect(result.score).toMatchObject({ value: 0.062 });
    expect(result.score_ARC).toBe(0.062);
  });

  it('sums the scores in the order MixEval lists them: parsed in round 1, then round 2, …', () => {
    // Items 2, 7 and 8 parsed in the second round; MixEval appends them after the others before summing.
    // python3 -c "xs=[0.4,0.3,0.6,0.4,0.3,0.5,0.7,0.6,0.3,0.7,0.8,1.0,0.8,0.5,0.0,0.3]; late={2,7,8};
    //   b=[x for i,x in enumerate(xs) if i not in late]+[xs[i] for i in sorted(late)];
    //   print(round(sum(b)/16,3), round(sum(xs)/16,3))"  ->  0.512 0.513  (8.2 vs 8.200000000000001)
    const xs = [0.4, 0.3, 0.6, 0.4, 0.3, 0.5, 0.7, 0.6, 0.3, 0.7, 0.8, 1.0, 0.8, 0.5, 0.0, 0.3];
    const items = xs.map((score, index) =>
      scored('free-form', 'BBH', index, score, [2, 7, 8].includes(index) ? 2 : 1),
    );
    expect(aggregateMixEval(items).score_free_form).toMatchObject({ value: 0.512 });
    const allFirstRound = xs.map((score, index) => scored('free-form', 'BBH', index, score));
    expect(aggregateMixEval(allFirstRound).score_free_form).toMatchObject({ value: 0.513 });
  });

  it('counts judge calls and random fallbacks per split', () => {
    const withFallback = [
      ...samples,
      {
        ...scored('free-form', 'DROP', 4, 0.6, 10),
        metrics: { score: 0.6, parser_fallback: 1, judge_calls: 10 },
      },
    ];
    const result = aggregateMixEval(withFallback);
    expect(result.judge_calls).toBe(8 + 10);
    expect(result.parser_fallbacks_free_form).toBe(1);
    expect(result.parser_fallbacks_multiple_choice).toBe(0);
  });
});
