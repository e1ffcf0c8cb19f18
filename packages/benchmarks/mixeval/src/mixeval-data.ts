import { readFile } from 'node:fs/promises';
import { DatasetError, type DatasetFileV1, type DatasetResolverV1 } from '@evalchemy/core';
import { z } from 'zod';
import {
  buildFreeFormPrompt,
  buildMultipleChoicePrompt,
  type MixEvalPromptFields,
  type MixEvalSplit,
} from './mixeval-prompts.js';

/** The data releases of MixEval this package knows. Evalchemy runs 2024-06-01. */
export const mixEvalVersions = ['2024-06-01', '2024-08-11'] as const;
export type MixEvalVersion = (typeof mixEvalVersions)[number];

/** `mixeval` (2000 free-form + 2000 multiple-choice items) or `mixeval_hard` (500 + 500). */
export type MixEvalBenchmarkName = 'mixeval' | 'mixeval_hard';

/** The splits in the order MixEval scores them (free-form first). */
export const mixEvalSplits: readonly MixEvalSplit[] = ['free-form', 'multiple-choice'];

// The files are MixEval's `mix_eval/data/mixeval-<version>/<mixeval|mixeval-hard>/<split>.json` (GitHub
// Psycoy/MixEval; 2024-06-01 from its first commit bac9c1c1, also vendored by Evalchemy; 2024-08-11 as of
// commit 6dffb0ed, which dropped 5 single-option items from the MixEval multiple-choice file). The Hub dataset
// MixEval/MixEval holds the releases too, but its layout and commits could not be looked up from here: the
// Hub location below is a placeholder at `main` and the sha256 is the pin (see the README).
const hubRepository = 'MixEval/MixEval';
const hubRevision = 'main';

const sha256s: Record<MixEvalVersion, Record<MixEvalBenchmarkName, Record<MixEvalSplit, string>>> = {
  '2024-06-01': {
    mixeval: {
      'free-form': '060d12102514316d4965191a31a83e4aa7f76d3f5686b2fc4101e00719c31715',
      'multiple-choice': '3c7b1ebab4c19c3297c56fb7fe758fbf857c24f1bc72895fcd78382716135643',
    },
    mixeval_hard: {
      'free-form': '55167abde842c86b80504913eaf839a2fbd7e96b4332eb69406f583dbb6ce7c5',
      'multiple-choice': '11e57fa2e1bc6bd3529167e4353991cae7c548e55ccf5067ef42a95971397af1',
    },
  },
  '2024-08-11': {
    mixeval: {
      'free-form': '6709e72987079e0a01a196395995e3e5c6f98d517a0009d07dcc3fd0e5732ca6',
      'multiple-choice': 'db8bc584529f471e6af4668017871767eb1885624570f71d07d1a8f3fac48254',
    },
    mixeval_hard: {
      'free-form': '4784526892f825d421a43a3c34a139adcfa9f8b17d1898b7e5c57079fecf5b4e',
      'multiple-choice': '3015ee7cc02f20ae7e412e0b42919a9a7d361c6c37de36db5ada38a576a36fea',
    },
  },
};

/** The pinned data file of one split of one release. */
export function mixEvalFile(
  version: MixEvalVersion,
  benchmark: MixEvalBenchmarkName,
  split: MixEvalSplit,
): DatasetFileV1 {
  const relative = `mixeval-${version}/${benchmark === 'mixeval' ? 'mixeval' : 'mixeval-hard'}/${split}.json`;
  return {
    hub: { repository: hubRepository, revision: hubRevision, path: `data/${relative}` },
    offlinePath: `mixeval/${relative}`,
    sha256: { offline: sha256s[version][benchmark][split] },
    format: { offline: 'json', hub: 'json' },
  };
}

const itemSchema = z.object({
  problem_type: z.string(),
  context: z.string().nullable(),
  prompt: z.string(),
  options: z.array(z.string()).optional(),
  target: z.array(z.union([z.string(), z.number().int()])),
  benchmark_name: z.string(),
});

/** One MixEval item as the benchmark carries it from loading to scoring. */
export interface MixEvalItem extends MixEvalPromptFields {
  split: MixEvalSplit;
  /** The item's key in its data file (`"0"`, `"1"`, …). */
  id: string;
  /** Position in the data file, 0-based: the order MixEval sums scores in. */
  index: number;
  /** Free-form: the golden answers. Multiple-choice: one 0-based index into `options`. */
  target: readonly (string | number)[];
  /** MixEval's `formated_input`: the prompt a chat model gets. */
  formattedInput: string;
}

/** Reads one split's items in file order, each with its `formated_input`. */
export async function loadMixEvalSplit(
  datasets: DatasetResolverV1,
  file: DatasetFileV1,
  split: MixEvalSplit,
): Promise<MixEvalItem[]> {
  // Not rows(): the file is one JSON object keyed by item id, not an array.
  const location = await datasets.resolve(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(location.path, 'utf8'));
  } catch (error) {
    throw new DatasetError(`${file.offlinePath} is not valid JSON.`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DatasetError(`${file.offlinePath} is not a JSON object keyed by item id.`);
  }
  // JSON.parse orders integer-like keys numerically; MixEval's files are in that order already.
  return Object.entries(parsed).map(([id, value], index): MixEvalItem => {
    const result = itemSchema.safeParse(value);
    if (!result.success) {
      throw new DatasetError(
        `${file.offlinePath} item ${id} is not in the expected shape: ${result.error.issues
          .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
          .join('; ')}.`,
      );
    }
    const item = result.data;
    if (split === 'multiple-choice') {
      const target = item.target[0];
      if (
        item.options === undefined ||
        item.target.length !== 1 ||
        typeof target !== 'number' ||
        target < 0 ||
        target >= item.options.length
      ) {
        throw new DatasetError(
          `${file.offlinePath} item ${id}: a multiple-choice item needs options and one target index among them.`,
        );
      }
    }
    const fields = {
      prompt: item.prompt,
      context: item.context,
      benchmark_name: item.benchmark_name,
      ...(item.options === undefined ? {} : { options: item.options }),
    };
    return {
      ...fields,
      split,
      id,
      index,
      target: item.target,
      formattedInput: split === 'free-form' ? buildFreeFormPrompt(fields) : buildMultipleChoicePrompt(fields),
    };
  });
}
