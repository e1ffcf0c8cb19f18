import type { BenchmarkV1, DatasetFileV1 } from '@evalchemy/core';
import { z } from 'zod';
import { runBenchmarkConformance } from './benchmark-conformance.js';

const fixtures = new URL('../__fixtures__/', import.meta.url);

const tinyFile: DatasetFileV1 = {
  hub: { repository: 'evalchemy/tiny', revision: 'main', path: 'test.jsonl' },
  offlinePath: 'tiny/test.jsonl',
  sha256: '8ac0568bd2fd580dc28d5f9cdae1e3e5190fdb679703566dd9182b1c664df74d',
};

interface TinyData {
  question: string;
  answer: string;
}

const tinyOptionsSchema = z.object({ judged: z.boolean().default(false) });

/** A two-line benchmark that plans chat or completion requests and scores exact match (or a judge's rating). */
const tiny: BenchmarkV1<TinyData, z.output<typeof tinyOptionsSchema>> = {
  specificationVersion: 'v1',
  kind: 'benchmark',
  id: 'tiny',
  version: '0.1.0',
  description: 'Arithmetic questions (fixture).',
  optionsSchema: tinyOptionsSchema,
  requirements: { judges: { judge: { defaultModel: 'scripted-judge' } } },
  primaryMetric: 'exact_match',
  async doLoad({ datasets }) {
    const rows = await datasets.rows(tinyFile);
    return {
      size: rows.length,
      samples: rows.map((row) => ({
        id: String(row.id),
        data: { question: String(row.question), answer: String(row.answer) },
      })),
    };
  },
  doPlan(sample, { backend }) {
    if (backend.capabilities.chat)
      return { type: 'chat', turns: [sample.data.question], parameters: { maxTokens: 8 } };
    if (backend.capabilities.completion) {
      return { type: 'completion', prompt: `Q: ${sample.data.question}\nA:`, parameters: { maxTokens: 8 } };
    }
    throw new Error('tiny needs a chat or completion backend');
  },
  async doScore(sample, responses, { judges, signal }) {
    if (responses.type !== 'generate') throw new Error('tiny scores generated text');
    const text = responses.generations[0]?.[0]?.text ?? '';
    const judgment = await judges.judge?.judge(
      { messages: [{ role: 'user', content: text }], parameters: {} },
      { signal },
    );
    const rating = judgment ? Number(/\[\[(\d+)\]\]/.exec(judgment.text)?.[1]) : null;
    return { metrics: { exact_match: text.trim() === sample.data.answer ? 1 : 0, rating } };
  },
};

runBenchmarkConformance(tiny, {
  packageJsonPath: new URL('tiny-benchmark.package.json', fixtures),
  datasetsDirectory: new URL('datasets', fixtures).pathname,
});
