import { DatasetError, type DatasetFileV1, type DatasetResolverV1, parseDatasetRows } from '@evalchemy/core';
import { z } from 'zod';

// lmarena/arena-hard-auto keeps its data on the Hub in the dataset repository lmarena-ai/arena-hard-auto
// (the same `data/<bench>/…` layout as the GitHub repository, whose copies are the offline files). No
// commit of that Hub repository could be looked up from here: `main` stands as the placeholder and the
// sha256 of the GitHub copy (lmarena/arena-hard-auto@196f6b8) is the pin.
const hubRepository = 'lmarena-ai/arena-hard-auto';
const hubRevision = 'main';

function arenaHardFile(path: string, sha256: string): DatasetFileV1 {
  return {
    hub: { repository: hubRepository, revision: hubRevision, path: `data/${path}` },
    offlinePath: `arena-hard/${path}`,
    sha256: { offline: sha256 },
    format: { offline: 'jsonl', hub: 'jsonl' },
  };
}

/** One Arena-Hard version: its questions and the baseline answers it is judged against. */
export interface ArenaHardVersionFiles {
  questions: DatasetFileV1;
  baseline: DatasetFileV1;
  /** Model name of the baseline. */
  baselineModel: string;
  /** The question categories this package can run (those whose baseline answers are available). */
  categories: readonly string[];
}

/** Arena-Hard-Auto v0.1: 500 questions (category `arena-hard-v0.1`), baseline gpt-4-0314. */
export const arenaHardV01: ArenaHardVersionFiles = {
  questions: arenaHardFile(
    'arena-hard-v0.1/question.jsonl',
    '2650242d2883f22b2abd498f273b6a7e02253cce533f5c91a858e1d44aa3002f',
  ),
  baseline: arenaHardFile(
    'arena-hard-v0.1/model_answer/gpt-4-0314.jsonl',
    '0f6abc84de4600fde987d9db70f838f4ecdbd27a2f1f4058c12aa322a6f791b2',
  ),
  baselineModel: 'gpt-4-0314',
  categories: ['arena-hard-v0.1'],
};

/**
 * Arena-Hard-Auto v2.0: 750 questions; only the 500 `hard_prompt` ones (subcategories coding and math) are
 * run, judged against o3-mini-2025-01-31. The 250 `creative_writing` questions need gemini-2.0-flash-001's
 * answers as baseline, which are not available offline.
 */
export const arenaHardV20: ArenaHardVersionFiles = {
  questions: arenaHardFile(
    'arena-hard-v2.0/question.jsonl',
    'a75cef6623db6b27aec810497b059f0659705d7ff48dcbccc5bd5b130728ac73',
  ),
  baseline: arenaHardFile(
    'arena-hard-v2.0/model_answer/o3-mini-2025-01-31.jsonl',
    'c23a7c255eead99f7f86ad48aa1d8ccdb5b3334f2097e0e1e09184df87265e03',
  ),
  baselineModel: 'o3-mini-2025-01-31',
  categories: ['hard_prompt'],
};

/** The data files of each version, by the `version` option. */
export const arenaHardVersions = { 'v0.1': arenaHardV01, 'v2.0': arenaHardV20 } as const;

export type ArenaHardVersion = keyof typeof arenaHardVersions;

const questionSchema = z.object({
  uid: z.string(),
  category: z.string(),
  cluster: z.string().optional(),
  subcategory: z.string().optional(),
  prompt: z.string(),
});

const answerSchema = z.object({
  uid: z.string(),
  model: z.string(),
  messages: z
    .array(z.object({ role: z.string(), content: z.union([z.string(), z.object({ answer: z.string() })]) }))
    .min(1),
});

/** One Arena-Hard question with the baseline's answer, as the benchmark carries it to scoring. */
export interface ArenaHardQuestion {
  uid: string;
  /** 0-based position in question.jsonl: the battles' order, which the seeded bootstrap depends on. */
  index: number;
  category: string;
  /** v0.1 `cluster` or v2.0 `subcategory`. */
  subcategory?: string;
  prompt: string;
  baselineModel: string;
  baselineAnswer: string;
  /** Seed of the bootstrap (the `bootstrap_seed` option, else the run's `--seed`). */
  bootstrapSeed: number;
}

/** Reads a version's questions (its runnable categories) with the baseline's answers, in question.jsonl order. */
export async function loadQuestions(
  datasets: DatasetResolverV1,
  files: ArenaHardVersionFiles,
  bootstrapSeed: number,
): Promise<ArenaHardQuestion[]> {
  const [questionRows, answerRows] = await Promise.all([
    datasets.rows(files.questions),
    datasets.rows(files.baseline),
  ]);
  const answers = new Map<string, string>();
  for (const answer of parseDatasetRows(answerRows, answerSchema, files.baseline)) {
    const content = answer.messages.at(-1)!.content;
    answers.set(answer.uid, typeof content === 'string' ? content : content.answer);
  }
  return parseDatasetRows(questionRows, questionSchema, files.questions)
    .map((question, index) => ({ question, index }))
    .filter(({ question }) => files.categories.includes(question.category))
    .map(({ question, index }): ArenaHardQuestion => {
      const baselineAnswer = answers.get(question.uid);
      if (baselineAnswer === undefined) {
        throw new DatasetError(
          `${files.baseline.offlinePath} has no ${files.baselineModel} answer to question ${question.uid}.`,
        );
      }
      const subcategory = question.subcategory ?? question.cluster;
      return {
        uid: question.uid,
        index,
        category: question.category,
        ...(subcategory === undefined ? {} : { subcategory }),
        prompt: question.prompt,
        baselineModel: files.baselineModel,
        baselineAnswer,
        bootstrapSeed,
      };
    });
}
