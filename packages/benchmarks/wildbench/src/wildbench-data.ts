import {
  type ChatMessageV1,
  DatasetError,
  type DatasetFileV1,
  type DatasetResolverV1,
  type DatasetRowV1,
} from '@evalchemy/core';
import { z } from 'zod';
import type { WildBenchReferenceModel } from './wildbench-options.js';

// Revisions of the two Hub datasets as HELM pins them (stanford-crfm/helm,
// src/helm/benchmark/scenarios/wild_bench_scenario.py); the file paths follow `push_to_hub`'s layout
// (`<config>/<split>-00000-of-00001.parquet`), which other WildBench tooling downloads directly. Neither could
// be checked from here and no sha256 of them is published: the Hub copies' hashes are recorded on first
// download, and an offline copy's hash is given with the `dataset_sha256` / `reference_sha256` options.
const benchRepository = 'allenai/WildBench';
const benchRevision = '7c05c1b4550282b2ed6a2e6ac5db069f1e07df5c';
const outputsRepository = 'allenai/WildBench-V2-Model-Outputs';
const outputsRevision = 'd6755bc68220df853c0825a733430f73f5af2501';

/** The v2 test split (1024 tasks): `session_id`, `conversation_input`, `checklist`, `primary_tag`, `secondary_tags`, … */
export const wildBenchTestFile: DatasetFileV1 = {
  hub: { repository: benchRepository, revision: benchRevision, path: 'v2/test-00000-of-00001.parquet' },
  offlinePath: 'wildbench/v2/test-00000-of-00001.parquet',
  sha256: { offline: '' },
};

/** A reference model's published answers to the 1024 tasks (`session_id`, `output` (a list; the first is used)). */
export function referenceOutputsFile(model: WildBenchReferenceModel): DatasetFileV1 {
  return {
    hub: {
      repository: outputsRepository,
      revision: outputsRevision,
      path: `${model}/train-00000-of-00001.parquet`,
    },
    offlinePath: `wildbench/model-outputs/${model}/train-00000-of-00001.parquet`,
    sha256: { offline: '' },
  };
}

/** WildBench's merge of its 12 task tags into 5 task categories (`task_group_new`). */
export const taskCategoryOfTag: Readonly<Record<string, string>> = {
  'Information seeking': 'Information/Advice seeking',
  'Creative Writing': 'Creative Tasks',
  'Coding & Debugging': 'Coding & Debugging',
  Reasoning: 'Planning & Reasoning',
  Editing: 'Creative Tasks',
  Math: 'Math & Data Analysis',
  Planning: 'Planning & Reasoning',
  Brainstorming: 'Creative Tasks',
  'Role playing': 'Creative Tasks',
  'Advice seeking': 'Information/Advice seeking',
  'Data Analysis': 'Math & Data Analysis',
  Others: 'Creative Tasks',
};

/** The five task categories with the weights of WildBench's leaderboard and Evalchemy (`task_weights`). */
export const taskCategoryWeights: Readonly<Record<string, number>> = {
  'Creative Tasks': 0.5,
  'Planning & Reasoning': 1.25,
  'Math & Data Analysis': 1.0,
  'Information/Advice seeking': 0.75,
  'Coding & Debugging': 1.25,
};

/** Metric-name form of each category (`WB_Score_<slug>`). */
export const taskCategorySlugs: Readonly<Record<string, string>> = {
  'Creative Tasks': 'creative_tasks',
  'Planning & Reasoning': 'planning_reasoning',
  'Math & Data Analysis': 'math_data_analysis',
  'Information/Advice seeking': 'information_advice_seeking',
  'Coding & Debugging': 'coding_debugging',
};

/** One WildBench task, as the benchmark carries it from loading to scoring. */
export interface WildBenchTask {
  sessionId: string;
  /** 0-based row in the test split: which of WildBench's seeded draws decides its A/B order. */
  index: number;
  /** The conversation before the last user message. */
  history: ChatMessageV1[];
  /** The last user message, which the model answers. */
  lastQuery: string;
  checklist: string[];
  primaryTag: string;
  secondaryTags: string[];
  /** The task categories of all its tags, deduplicated, in WildBench's category order. */
  categories: string[];
  /** The reference model's answer (reward mode). */
  referenceOutput?: string;
}

const listOf = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), z.null()]).transform((value) => (value ?? []) as z.output<T>[]);

const testRowSchema = z.object({
  session_id: z.string(),
  conversation_input: z.array(z.object({ role: z.string(), content: z.string() }).loose()).min(1),
  checklist: listOf(z.string()),
  primary_tag: z.string(),
  secondary_tags: listOf(z.string()),
});

const referenceRowSchema = z.object({
  session_id: z.string(),
  output: z.union([z.string(), z.array(z.string()).min(1)]),
});

function parseRow<T>(row: DatasetRowV1, index: number, schema: z.ZodType<T>, file: DatasetFileV1): T {
  const result = schema.safeParse(row);
  if (!result.success) {
    throw new DatasetError(
      `${file.offlinePath} row ${index + 1} is not in the expected shape: ${result.error.issues
        .map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`)
        .join('; ')}.`,
    );
  }
  return result.data;
}

function categoriesOf(tags: readonly string[], sessionId: string, file: DatasetFileV1): string[] {
  const found = new Set<string>();
  for (const tag of tags) {
    const category = taskCategoryOfTag[tag];
    if (category === undefined) {
      throw new DatasetError(`${file.offlinePath}: task ${sessionId} has the unknown task tag "${tag}".`);
    }
    found.add(category);
  }
  return Object.keys(taskCategoryWeights).filter((category) => found.has(category));
}

/** Reads the test split in its order. */
export async function loadTasks(datasets: DatasetResolverV1, file: DatasetFileV1): Promise<WildBenchTask[]> {
  const rows = await datasets.rows(file);
  return rows.map((raw, index): WildBenchTask => {
    const row = parseRow(raw, index, testRowSchema, file);
    const last = row.conversation_input.at(-1)!;
    const history = row.conversation_input.slice(0, -1).map((message, turn): ChatMessageV1 => {
      if (message.role !== 'user' && message.role !== 'assistant') {
        throw new DatasetError(
          `${file.offlinePath}: task ${row.session_id} has a "${message.role}" message at turn ${turn + 1}.`,
        );
      }
      return { role: message.role, content: message.content };
    });
    return {
      sessionId: row.session_id,
      index,
      history,
      lastQuery: last.content,
      checklist: row.checklist,
      primaryTag: row.primary_tag,
      secondaryTags: row.secondary_tags,
      categories: categoriesOf([row.primary_tag, ...row.secondary_tags], row.session_id, file),
    };
  });
}

/** Reads a reference model's answers, by session id (the first of each row's `output`). */
export async function loadReferenceOutputs(
  datasets: DatasetResolverV1,
  file: DatasetFileV1,
): Promise<Map<string, string>> {
  const rows = await datasets.rows(file);
  const outputs = new Map<string, string>();
  rows.forEach((raw, index) => {
    const row = parseRow(raw, index, referenceRowSchema, file);
    outputs.set(row.session_id, typeof row.output === 'string' ? row.output : row.output[0]!);
  });
  return outputs;
}
