import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOfflineDatasetResolver, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { IFEVAL_INPUT_DATA } from './ifeval-benchmark.js';
import { evaluateResponse, type IfevalItem } from './ifeval-scorer.js';
import type { InstructionArguments } from './instruction-checkers.js';

// Verdicts of google-research's instruction_following_eval (current instructions.py, NLTK 3.10 Punkt English,
// Python langdetect with DetectorFactory.seed = 0) on the GPT-4 responses shipped with the dataset.
const reference = readFileSync(
  new URL('./__fixtures__/gpt4-reference-verdicts.jsonl', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { key: number; strict: boolean[]; loose: boolean[] });

describe('IFEval scoring of the 541 GPT-4 responses', () => {
  it('gives the upstream per-prompt, per-instruction strict and loose verdicts', async () => {
    const resolver = createOfflineDatasetResolver(sharedDatasetsDirectory());
    const items = (await resolver.rows(IFEVAL_INPUT_DATA)).map(
      (row): IfevalItem => ({
        key: row.key as number,
        prompt: row.prompt as string,
        instructionIds: row.instruction_id_list as string[],
        kwargs: row.kwargs as InstructionArguments[],
      }),
    );
    const responses = new Map<string, string>();
    const responseFile = join(
      sharedDatasetsDirectory(),
      'ifeval/input_response_data_gpt4_20231107_145030.jsonl',
    );
    for (const line of readFileSync(responseFile, 'utf8').trim().split('\n')) {
      const row = JSON.parse(line) as { prompt: string; response: string };
      responses.set(row.prompt, row.response);
    }
    const mismatches: string[] = [];
    const expected = new Map(reference.map((row) => [row.key, row]));
    for (const item of items) {
      const verdicts = evaluateResponse(item, responses.get(item.prompt)!);
      const want = expected.get(item.key)!;
      item.instructionIds.forEach((id, index) => {
        if (verdicts.strict[index] !== want.strict[index]) mismatches.push(`${item.key} ${id} strict`);
        if (verdicts.loose[index] !== want.loose[index]) mismatches.push(`${item.key} ${id} loose`);
      });
    }
    expect(items).toHaveLength(541);
    expect(mismatches).toEqual([]);
  }, 300_000);
});
