import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { hendrycksIsEquiv } from './hendrycks-equivalence.js';
import { isEquivalentAnswer } from './math-equivalence.js';

interface ZeroEvalRow {
  answer: string;
  output: string[];
}

// ZeroEval asks for JSON `{"reasoning": …, "answer": …}`; the answer string is what it grades.
function zeroEvalAnswer(output: string): string {
  const match = /"answer"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(output);
  if (!match) return '';
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return match[1] ?? '';
  }
}

describe('agreement with lm-eval is_equiv on published MATH level-5 outputs (ZeroEval)', () => {
  for (const model of ['gpt-4o-mini-2024-07-18', 'Meta-Llama-3-8B-Instruct']) {
    it(`${model}: equivalent whenever is_equiv says equal; extra equivalences are equal in value`, async () => {
      const path = join(sharedDatasetsDirectory(), 'zeroeval', 'math-l5', `${model}.json`);
      const rows = JSON.parse(await readFile(path, 'utf8')) as ZeroEvalRow[];
      expect(rows).toHaveLength(721);
      const extra: [string, string][] = [];
      for (const row of rows) {
        const predicted = zeroEvalAnswer(row.output[0] ?? '');
        const reference = hendrycksIsEquiv(row.answer, predicted);
        const ours = isEquivalentAnswer(row.answer, predicted);
        if (reference) expect(ours, `${row.answer} vs ${predicted}`).toBe(true);
        if (ours && !reference) extra.push([row.answer, predicted]);
      }
      // Every extra equivalence found is a prediction equal in value to the integer gold answer.
      for (const [gold, predicted] of extra) {
        const [numerator, denominator] = predicted.split('/').map(Number);
        expect(numerator, predicted).toBeDefined();
        expect((numerator ?? Number.NaN) / (denominator ?? 1)).toBe(Number(gold));
      }
    });
  }
});
