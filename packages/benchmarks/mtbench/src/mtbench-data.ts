import { DatasetError, type DatasetFileV1, type DatasetResolverV1, parseDatasetRows } from '@evalchemy/core';
import { z } from 'zod';

// The files are FastChat's `fastchat/llm_judge/data` (lm-sys/FastChat@0e6d3e4b), which FastChat also serves
// from the Hugging Face space lmsys/mt-bench. The dataset resolver knows only dataset and model repositories;
// a "model" repository named `spaces/<owner>/<name>` makes it build the space's `resolve` URL. The space
// revision is a commit of that space that other MT-Bench tooling pins (FastChat-based scripts download
// `spaces/lmsys/mt-bench/resolve/89039fbb…/data/mt_bench/model_judgment/gpt-4_pair.jsonl`); the Hub copies'
// hashes are recorded on first download.
const hubRepository = 'spaces/lmsys/mt-bench';
const hubRevision = '89039fbb04009aa54b2ce88a294402fe9d756913';

/** A file of FastChat's llm_judge data, pinned by sha256, on the lmsys/mt-bench space at `hubRevision`. */
export function mtBenchFile(hubPath: string, offlinePath: string, sha256: string): DatasetFileV1 {
  return {
    hub: { repository: hubRepository, repositoryType: 'model', revision: hubRevision, path: hubPath },
    offlinePath,
    sha256: { offline: sha256 },
    format: { offline: 'jsonl', hub: 'jsonl' },
  };
}

/** `question.jsonl`: 80 questions, `question_id`, `category`, `turns` (two user messages). */
export const questionFile: DatasetFileV1 = mtBenchFile(
  'data/mt_bench/question.jsonl',
  'mtbench/question.jsonl',
  '119565adbab82227089cefdb44c8d7e2cf04dc0a0ec233634c82e7d4e2a944f7',
);

/** `judge_prompts.jsonl`: FastChat's judge templates (`single-v1`, `single-math-v1`, their multi-turn forms, …). */
export const judgePromptsFile: DatasetFileV1 = mtBenchFile(
  'data/judge_prompts.jsonl',
  'mtbench/judge_prompts.jsonl',
  'fd283293406d024f44c174b094ef48031d0687a4682fd3a56b29b138f80281b6',
);

/** `reference_answer/gpt-4.jsonl`: GPT-4's answers to the 30 math, reasoning and coding questions. */
export const referenceAnswerFile: DatasetFileV1 = mtBenchFile(
  'data/mt_bench/reference_answer/gpt-4.jsonl',
  'mtbench/reference_answer/gpt-4.jsonl',
  'f957a5bc977badb66885ec970e6cd08527845780313f0995764260e5777b9b3f',
);

/** Categories graded against the GPT-4 reference answer (FastChat's `NEED_REF_CATS`). */
export const referenceCategories: readonly string[] = ['math', 'reasoning', 'coding', 'arena-hard-200'];

const questionSchema = z.object({
  question_id: z.number().int(),
  category: z.string(),
  turns: z.array(z.string()).length(2),
});

const answerSchema = z.object({
  question_id: z.number().int(),
  choices: z.array(z.object({ turns: z.array(z.string()) })).min(1),
});

const judgePromptSchema = z.object({
  name: z.string(),
  type: z.string(),
  system_prompt: z.string(),
  prompt_template: z.string(),
  output_format: z.string(),
});

/** One judge prompt of judge_prompts.jsonl. */
export interface JudgePromptTemplate {
  /** FastChat's name, e.g. `single-math-v1-multi-turn`. */
  name: string;
  /** System message; FastChat sends none when it is empty. */
  systemPrompt: string;
  /** User message with Python `str.format` fields (`{question}`, `{answer_1}`, `{ref_answer_2}`, …). */
  promptTemplate: string;
}

/** The four judge prompts FastChat's `make_judge_single` (or `make_judge_pairwise`) picks. */
export interface JudgePromptSet {
  default: JudgePromptTemplate;
  math: JudgePromptTemplate;
  defaultMultiTurn: JudgePromptTemplate;
  mathMultiTurn: JudgePromptTemplate;
}

/** One MT-Bench question, as the benchmark carries it from loading to scoring. */
export interface MTBenchQuestion {
  questionId: number;
  category: string;
  /** The two user messages. */
  turns: string[];
  /** GPT-4's answers to both turns, for the reference-graded categories. */
  referenceTurns?: string[];
  /** Judge prompt of turn 1 and of turn 2 (single-answer grading). */
  judgePrompts: [JudgePromptTemplate, JudgePromptTemplate];
  /** Pairwise judge prompt of turn 1 and of turn 2; present in the pairwise modes. */
  pairwiseJudgePrompts?: [JudgePromptTemplate, JudgePromptTemplate];
  /** The pregenerated answers the model's are compared with, in the pairwise modes (one per opponent). */
  opponents?: OpponentAnswer[];
}

/** A pregenerated model's answers to both turns of one question. */
export interface OpponentAnswer {
  /** The model's name: its answer file's name without `.jsonl` (FastChat's naming). */
  model: string;
  turns: string[];
}

function pickJudgePrompt(
  prompts: Map<string, z.output<typeof judgePromptSchema>>,
  name: string,
  kind: { type: 'single'; outputFormat: '[[rating]]' } | { type: 'pairwise'; outputFormat: '[[A]]' },
): JudgePromptTemplate {
  const prompt = prompts.get(name);
  if (prompt === undefined) {
    throw new DatasetError(`${judgePromptsFile.offlinePath} has no judge prompt named "${name}".`);
  }
  // FastChat parses only these output formats (its pairwise judge also knows "[[rating_a,rating_b]]", which
  // none of the MT-Bench pairwise prompts uses) and raises on any other.
  if (prompt.type !== kind.type || prompt.output_format !== kind.outputFormat) {
    throw new DatasetError(
      `${judgePromptsFile.offlinePath}: judge prompt "${name}" is not a ${kind.type} "${kind.outputFormat}" prompt.`,
    );
  }
  return { name: prompt.name, systemPrompt: prompt.system_prompt, promptTemplate: prompt.prompt_template };
}

async function readJudgePrompts(datasets: DatasetResolverV1) {
  const rows = parseDatasetRows(await datasets.rows(judgePromptsFile), judgePromptSchema, judgePromptsFile);
  // FastChat keys prompts by name; a later duplicate wins, as in its dict.
  return new Map(rows.map((row) => [row.name, row]));
}

/** Reads the judge prompts FastChat uses for single-answer grading (`make_judge_single`). */
export async function loadJudgePrompts(datasets: DatasetResolverV1): Promise<JudgePromptSet> {
  const byName = await readJudgePrompts(datasets);
  const single = { type: 'single', outputFormat: '[[rating]]' } as const;
  return {
    default: pickJudgePrompt(byName, 'single-v1', single),
    math: pickJudgePrompt(byName, 'single-math-v1', single),
    defaultMultiTurn: pickJudgePrompt(byName, 'single-v1-multi-turn', single),
    mathMultiTurn: pickJudgePrompt(byName, 'single-math-v1-multi-turn', single),
  };
}

/** Reads the judge prompts FastChat uses for pairwise comparison (`make_judge_pairwise`). */
export async function loadPairwiseJudgePrompts(datasets: DatasetResolverV1): Promise<JudgePromptSet> {
  const byName = await readJudgePrompts(datasets);
  const pairwise = { type: 'pairwise', outputFormat: '[[A]]' } as const;
  return {
    default: pickJudgePrompt(byName, 'pair-v2', pairwise),
    math: pickJudgePrompt(byName, 'pair-math-v1', pairwise),
    defaultMultiTurn: pickJudgePrompt(byName, 'pair-v2-multi-turn', pairwise),
    mathMultiTurn: pickJudgePrompt(byName, 'pair-math-v1-multi-turn', pairwise),
  };
}

/**
 * Reads the questions, their GPT-4 reference answers and the judge prompts, in question.jsonl order; with
 * `pairwise`, also the pairwise judge prompts.
 */
export async function loadQuestions(
  datasets: DatasetResolverV1,
  settings: { pairwise?: boolean } = {},
): Promise<MTBenchQuestion[]> {
  const [questionRows, referenceRows, judgePrompts, pairwisePrompts] = await Promise.all([
    datasets.rows(questionFile),
    datasets.rows(referenceAnswerFile),
    loadJudgePrompts(datasets),
    settings.pairwise === true ? loadPairwiseJudgePrompts(datasets) : undefined,
  ]);
  const questions = parseDatasetRows(questionRows, questionSchema, questionFile);
  const references = new Map(
    parseDatasetRows(referenceRows, answerSchema, referenceAnswerFile).map((answer) => [
      answer.question_id,
      answer.choices[0]!.turns,
    ]),
  );
  return questions.map((question): MTBenchQuestion => {
    if (!referenceCategories.includes(question.category)) {
      return {
        questionId: question.question_id,
        category: question.category,
        turns: question.turns,
        judgePrompts: [judgePrompts.default, judgePrompts.defaultMultiTurn],
        ...(pairwisePrompts
          ? { pairwiseJudgePrompts: [pairwisePrompts.default, pairwisePrompts.defaultMultiTurn] }
          : {}),
      };
    }
    const referenceTurns = references.get(question.question_id);
    if (referenceTurns === undefined || referenceTurns.length < 2) {
      throw new DatasetError(
        `${referenceAnswerFile.offlinePath} has no two-turn reference answer for question ${question.question_id} (${question.category}).`,
      );
    }
    return {
      questionId: question.question_id,
      category: question.category,
      turns: question.turns,
      referenceTurns,
      judgePrompts: [judgePrompts.math, judgePrompts.mathMultiTurn],
      ...(pairwisePrompts
        ? { pairwiseJudgePrompts: [pairwisePrompts.math, pairwisePrompts.mathMultiTurn] }
        : {}),
    };
  });
}
