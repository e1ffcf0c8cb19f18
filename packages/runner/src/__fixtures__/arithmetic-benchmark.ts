import type { BenchmarkV1, SamplePlanV1 } from '@evalchemy/core';
import { z } from 'zod';

/**
 * A small synthetic benchmark for the runner's own tests: "what is a+b?" questions, exact-match scored,
 * with switches for the shapes the runner must handle (multi-turn, several generations, a failing loader,
 * a judge asked whether each answer is right: `judged_right` is 1 when it says `yes`; answers checked by
 * Python in a sandbox).
 */
export function createArithmeticBenchmark(
  settings: {
    id?: string;
    size?: number;
    turns?: number;
    generations?: number;
    failLoad?: boolean;
    judge?: boolean;
    sandbox?: boolean;
  } = {},
): BenchmarkV1<{ a: number; b: number }, { offset: number }> {
  const size = settings.size ?? 5;
  return {
    specificationVersion: 'v1',
    kind: 'benchmark',
    id: settings.id ?? 'arithmetic',
    version: '0.0.0',
    description: 'a+b',
    optionsSchema: z.object({ offset: z.number().default(0) }),
    requirements: {
      ...(settings.judge ? { judges: { judge: { defaultModel: 'judge-model' } } } : {}),
      sandbox: settings.sandbox ?? false,
    },
    primaryMetric: 'accuracy',
    async doLoad() {
      if (settings.failLoad) throw new Error('the data file is missing');
      const samples = Array.from({ length: size }, (_, index) => ({
        id: `q${index}`,
        data: { a: index, b: 10 },
        metadata: { parity: index % 2 === 0 ? 'even' : 'odd' },
      }));
      return { size, samples };
    },
    doPlan(sample): SamplePlanV1 {
      const question = `What is ${sample.data.a}+${sample.data.b}?`;
      return {
        type: 'chat',
        system: 'Answer with a number.',
        turns: Array.from({ length: settings.turns ?? 1 }, (_, turn) =>
          turn === 0 ? question : `Turn ${turn}: again?`,
        ),
        parameters: { temperature: 0, maxTokens: 16 },
        ...(settings.generations ? { generations: settings.generations } : {}),
      };
    },
    async doScore(sample, responses, context) {
      if (responses.type !== 'generate') throw new Error('expected generations');
      const answer = responses.generations[0]?.[0]?.text.trim() ?? '';
      const expected = String(sample.data.a + sample.data.b);
      const correct = context.sandbox
        ? (
            await context.sandbox.doExecute(
              {
                language: 'python',
                source: `print(${JSON.stringify(answer)} == ${JSON.stringify(expected)})`,
              },
              { timeoutMs: 30_000 },
              { signal: context.signal },
            )
          ).stdout.trim() === 'True'
        : answer === expected;
      const metrics: Record<string, number> = { accuracy: correct ? 1 : 0 };
      const judge = context.judges.judge;
      if (judge) {
        const verdict = await judge.judge(
          { messages: [{ role: 'user', content: `Is ${answer} right?` }], parameters: { temperature: 0 } },
          { signal: context.signal },
        );
        metrics.judged_right = verdict.text === 'yes' ? 1 : 0;
      }
      return { metrics, extracted: answer };
    },
  };
}
