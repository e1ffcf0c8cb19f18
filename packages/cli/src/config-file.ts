import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@evalchemy/core';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const pluginArgs = z.union([z.string(), z.record(z.string(), scalar)]);

/** The judge of one task, or of one role of it: any field left out comes from the wider setting. */
const judgeSettingFields = {
  backend: z
    .string()
    .describe(
      'Judge backend id (openai, llamacpp, ...). A different backend than the wider setting brings its own args and model.',
    )
    .optional(),
  args: pluginArgs.describe('The judge backend\'s options: "k=v,k2=v2" or a mapping.').optional(),
  model: z.string().describe("Judge model; `auto` is each role's reference judge.").optional(),
};

/**
 * One task of Evalchemy's config format (`configs/*.yaml` of mlfoundations/evalchemy): its name, its batch size
 * and, here, any other key as one of the task's options.
 */
const evalchemyTaskSchema = z
  .object({
    task_name: z.string().min(1).describe('Task name (Evalchemy spellings such as MTBench are accepted).'),
    batch_size: z
      .union([z.number().int().positive(), z.literal('auto'), z.string().regex(/^\d+$/)])
      .describe(
        "Evalchemy's per-task batch size. This runner has one concurrency per run: the smallest batch_size of the file is its default (see `concurrency`); `auto` sets no bound.",
      )
      .optional(),
  })
  .catchall(z.unknown())
  .describe("Evalchemy's task entry; keys other than task_name and batch_size are the task's options.");

export const configFileSchema = z
  .object({
    model: z.string().describe('Backend id, e.g. openai, llamacpp, replay.').optional(),
    model_args: pluginArgs.describe('Backend options: "k=v,k2=v2" or a mapping.').optional(),
    tasks: z
      .union([
        z.array(z.union([z.string(), evalchemyTaskSchema])),
        z.record(z.string(), z.record(z.string(), z.unknown()).nullable()),
      ])
      .describe(
        "Task names; or a mapping from task name to that task's options; or Evalchemy's list of {task_name, batch_size, ...options}.",
      )
      .optional(),
    output_path: z.string().describe('Directory for results and samples files.').optional(),
    limit: z
      .number()
      .positive()
      .refine((limit) => limit < 1 || Number.isInteger(limit), {
        message: 'a whole number of samples, or a share of each task below 1 (0.1)',
      })
      .describe(
        'Only the first N samples of each task (of each subject of a group task such as mmlu); below 1, that share of each, rounded up (as --limit).',
      )
      .optional(),
    seed: z.number().int().describe('Base seed; generation i uses seed + i.').optional(),
    max_tokens: z
      .number()
      .int()
      .positive()
      .describe("Overrides every task's max generated tokens.")
      .optional(),
    concurrency: z
      .number()
      .int()
      .positive()
      .describe(
        "Requests in flight at once (model and each judge backend); default the smallest of the tasks' batch_size, else 32.",
      )
      .optional(),
    system_instruction: z.string().describe('System message for chat prompts.').optional(),
    model_name: z
      .string()
      .describe(
        'The model, as model= in model_args; with model: curator, PROVIDER/MODEL (openai/, anthropic/, gemini/) chooses the backend.',
      )
      .optional(),
    max_cost: z
      .number()
      .nonnegative()
      .describe(
        "Budget in US dollars over the model's and the judges' requests: a request that could exceed it is not sent (exit code 3).",
      )
      .optional(),
    judge_backend: z
      .string()
      .describe('Backend id of every judge (default openai); `judges` may choose another per task and role.')
      .optional(),
    judge_args: pluginArgs
      .describe(
        'The judge backend\'s options ("k=v,k2=v2" or a mapping). For openai, base_url defaults to EVALCHEMY_JUDGE_BASE_URL, else OPENAI_BASE_URL, and the key comes from EVALCHEMY_JUDGE_API_KEY or OPENAI_API_KEY.',
      )
      .optional(),
    annotator_model: z
      .string()
      .describe("Judge model for LLM-judged tasks; `auto` (the default) is each role's reference judge.")
      .optional(),
    judges: z
      .record(
        z.string(),
        z
          .object({
            ...judgeSettingFields,
            roles: z
              .record(z.string(), z.object(judgeSettingFields).strict())
              .describe("Per judge role of the task (MT-Bench's is `judge`).")
              .optional(),
          })
          .strict(),
      )
      .describe(
        'Judge per task (keyed by task name) and per role, over judge_backend, judge_args and annotator_model; flags win over all of them.',
      )
      .optional(),
    judge_prices: z
      .record(
        z.string(),
        z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict(),
      )
      .describe(
        "Judge prices in US dollars per million tokens by model id ({input, output}), over the built-in list prices of the reference judges: the cost in each task's judge audit.",
      )
      .optional(),
    predict_only: z.boolean().describe('Generate and record responses without scoring.').optional(),
    no_cache: z.boolean().describe('Ignore and do not fill the response cache.').optional(),
    sandbox: z.enum(['auto', 'docker', 'process']).describe('Where generated code runs.').optional(),
    use_database: z
      .boolean()
      .describe(
        'Add the run to the leaderboard when it ends, as --use_database (the database: --database_url, EVALCHEMY_DATABASE_URL, DB_* or the embedded one).',
      )
      .optional(),
    confirm_run_unsafe_code: z
      .boolean()
      .describe('Allow running generated code without isolation when no sandbox is available.')
      .optional(),
  })
  .strict();

/** The raw file, as written: either format. */
export type ConfigFileInput = z.infer<typeof configFileSchema>;

/** The file in this CLI's format (Evalchemy's task list turned into per-task options and a concurrency). */
export type ConfigFile = Omit<ConfigFileInput, 'tasks'> & {
  tasks?: string[] | Record<string, Record<string, unknown> | null>;
};
/** The JSON Schema of the config file (kept in packages/cli/config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema) as Record<string, unknown>;
}

/** The suites shipped with this package (`--config full`): `packages/cli/configs/` here, `configs/` when installed. */
export const shippedConfigsDirectory = fileURLToPath(new URL('../configs/', import.meta.url));

/** The names `--config` accepts for the shipped suites (`full`, `single_task/gpqa`), sorted. */
export function shippedConfigNames(): string[] {
  const names: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yaml'))
        names.push(
          relative(shippedConfigsDirectory, path)
            .replace(/\.yaml$/, '')
            .replaceAll('\\', '/'),
        );
    }
  };
  if (existsSync(shippedConfigsDirectory)) walk(shippedConfigsDirectory);
  return names.sort();
}

/**
 * The file `--config NAME` means: a file at that path (from `cwd`), else the shipped suite of that name, with or
 * without `.yaml`, also a single-task one by its bare name (`gpqa` for `single_task/gpqa`).
 */
export function findConfigFile(name: string, cwd: string): string {
  const local = resolve(cwd, name);
  if (existsSync(local)) return local;
  const bare = name.replace(/\.ya?ml$/, '');
  for (const candidate of [bare, `single_task/${bare}`]) {
    const shipped = join(shippedConfigsDirectory, `${candidate}.yaml`);
    if (!bare.includes('..') && existsSync(shipped) && statSync(shipped).isFile()) return shipped;
  }
  throw new ConfigurationError(
    `Cannot read config file ${local}: there is no such file, and no config shipped with @evalchemy/cli is named ` +
      `"${name}". The shipped ones (--config NAME): ${shippedConfigNames().join(', ')} (in ${shippedConfigsDirectory}).`,
  );
}

/** A config file read and brought into this CLI's format, with what the user should be told about it. */
export interface LoadedConfigFile {
  path: string;
  /** `evalchemy`: Evalchemy's `tasks: [{task_name, batch_size}, …]` shape; `evalchemy-cli`: this CLI's. */
  format: 'evalchemy' | 'evalchemy-cli';
  config: ConfigFile;
  /** Keys accepted but not used (`warning:` lines). */
  warnings: string[];
  /** How a setting of the file was mapped here (informational lines). */
  notes: string[];
}

/** `--config NAME`: `findConfigFile` then `readConfigFile`. */
export async function loadConfigFile(name: string, cwd: string): Promise<LoadedConfigFile> {
  return readConfigFile(findConfigFile(name, cwd));
}

/** The settings a config file may hold; a key within this distance of one is taken for a misspelling of it. */
const settingNames = Object.keys(configFileSchema.shape);
const evalchemyTaskKeys = ['task_name', 'batch_size'];

/** What to say about keys that are settings elsewhere (a flag of lm-eval, a per-task setting) but not here. */
const ignoredKeyHints: Record<string, string> = {
  batch_size: 'give batch_size per task (tasks: - task_name: X, batch_size: N) or set concurrency',
  num_fewshot: 'give num_fewshot per task, as an option of the task, or as the flag --num_fewshot',
};

/**
 * Reads a config file in either format, told apart by shape: `tasks` as a list holding `{task_name, …}` entries
 * is Evalchemy's (`eval/eval.py` reads `tasks`, `annotator_model` and `max_tokens` from it), anything else this
 * CLI's. A key that is no setting is a warning, unless it looks like a misspelt setting, which is an error; every
 * error names the key and its line, and never quotes a value.
 */
export async function readConfigFile(path: string): Promise<LoadedConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  // Without prettyErrors: the pretty message quotes the offending line, which may hold a key.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [syntaxError] = document.errors;
  if (syntaxError !== undefined) {
    const start = syntaxError.pos[0];
    throw new ConfigurationError(
      `Config file ${path} is not valid YAML (line ${lineCounter.linePos(start).line}): ${syntaxError.message}.`,
    );
  }
  const at = (keyPath: readonly PropertyKey[]) => {
    const line = lineOf(document.contents, keyPath, lineCounter);
    return line === undefined ? '' : ` (line ${line})`;
  };
  const value: unknown = document.toJS() ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(
      `Config file ${path} must be a mapping of settings (model:, tasks:, …), got ${Array.isArray(value) ? 'a list' : typeof value}.`,
    );
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const known: Record<string, unknown> = {};
  const spelling: Record<string, string> = {};
  for (const [key, setting] of Object.entries(value)) {
    const name = settingNames.includes(key) ? key : key.replaceAll('-', '_');
    if (settingNames.includes(name)) {
      if (name in known)
        problems.push(
          `${key}${at([key])}: ${name} is given twice (as ${spelling[name]} and ${key}); keep one`,
        );
      known[name] = setting;
      spelling[name] = key;
      continue;
    }
    const meant = closest(key, settingNames);
    if (meant !== undefined) {
      problems.push(`${key}${at([key])}: no such setting; did you mean ${meant}?`);
    } else {
      const hint = ignoredKeyHints[name];
      warnings.push(
        `Config file ${path}: "${key}"${at([key])} has no meaning here and is ignored` +
          `${hint ? ` (${hint})` : ''}. Evalchemy's eval.py reads only tasks, annotator_model and max_tokens from a ` +
          'config file; the settings of this CLI are those of @evalchemy/cli/config.schema.json.',
      );
    }
  }
  const tasks = known.tasks;
  const evalchemyFormat =
    Array.isArray(tasks) && tasks.some((task) => typeof task === 'object' && task !== null);
  if (Array.isArray(tasks)) problems.push(...taskListProblems(tasks, at));
  if (problems.length > 0) throw invalid(path, evalchemyFormat, problems);

  const parsed = configFileSchema.safeParse(known);
  if (!parsed.success) {
    throw invalid(
      path,
      evalchemyFormat,
      parsed.error.issues.map((issue) => {
        const message =
          issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'tasks'
            ? 'expected a list of task names, a mapping from task name to its options, or a list of {task_name, batch_size} entries'
            : issue.message;
        return `${issue.path.join('.') || '(top level)'}${at(issue.path)}: ${message}`;
      }),
    );
  }
  const { tasks: parsedTasks, ...settings } = parsed.data;
  const config: ConfigFile = settings;
  if (Array.isArray(parsedTasks) && evalchemyFormat) {
    const byName: Record<string, Record<string, unknown>> = {};
    const batchSizes: { task: string; size: number }[] = [];
    for (const task of parsedTasks) {
      const {
        task_name: name,
        batch_size: batchSize,
        ...options
      } = typeof task === 'string' ? { task_name: task } : task;
      byName[name] = options;
      if (batchSize !== undefined && batchSize !== 'auto')
        batchSizes.push({ task: name, size: Number(batchSize) });
    }
    config.tasks = byName;
    const smallest = batchSizes.reduce<{ task: string; size: number } | undefined>(
      (least, entry) => (least === undefined || entry.size < least.size ? entry : least),
      undefined,
    );
    if (config.concurrency === undefined && smallest !== undefined) {
      config.concurrency = smallest.size;
      if (new Set(batchSizes.map((entry) => entry.size)).size > 1) {
        notes.push(
          `Config file ${path}: its tasks' batch_size range from ${smallest.size} (${smallest.task}) to ` +
            `${Math.max(...batchSizes.map((entry) => entry.size))}; this runner has one concurrency for the whole run, ` +
            `so it uses the smallest, ${smallest.size}. ` +
            '--batch_size or --concurrency on the command line sets another.',
        );
      }
    }
  } else if (parsedTasks !== undefined) {
    config.tasks = parsedTasks as ConfigFile['tasks'];
  }
  return { path, format: evalchemyFormat ? 'evalchemy' : 'evalchemy-cli', config, warnings, notes };
}

function invalid(path: string, evalchemyFormat: boolean, problems: string[]): ConfigurationError {
  return new ConfigurationError(
    `Config file ${path}${evalchemyFormat ? " (Evalchemy's format)" : ''} is invalid: ${problems.join('; ')}. ` +
      'Its settings are described in @evalchemy/cli/config.schema.json ("evalchemy config-schema").',
  );
}

/** What is wrong with the entries of a `tasks` list: each a task name or an Evalchemy `{task_name, …}` entry. */
function taskListProblems(tasks: unknown[], at: (path: readonly PropertyKey[]) => string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  tasks.forEach((task, index) => {
    const where = `tasks.${index}`;
    let name: unknown = task;
    if (typeof task === 'object' && task !== null && !Array.isArray(task)) {
      const entry = task as Record<string, unknown>;
      for (const key of Object.keys(entry)) {
        const meant = evalchemyTaskKeys.includes(key) ? undefined : closest(key, evalchemyTaskKeys);
        if (meant !== undefined)
          problems.push(`${where}.${key}${at(['tasks', index, key])}: no such key; did you mean ${meant}?`);
      }
      name = entry.task_name;
      if (typeof name !== 'string' || name === '') {
        problems.push(`${where}${at(['tasks', index])}: an entry needs a task_name (the task's name)`);
        return;
      }
      const batchSize = entry.batch_size;
      if (
        batchSize !== undefined &&
        batchSize !== 'auto' &&
        !(Number.isInteger(Number(batchSize)) && Number(batchSize) >= 1 && typeof batchSize !== 'boolean')
      ) {
        problems.push(
          `${where}.batch_size${at(['tasks', index, 'batch_size'])}: must be an integer ≥ 1 or auto (task ${name})`,
        );
      }
    } else if (typeof task !== 'string' || task === '') {
      problems.push(
        `${where}${at(['tasks', index])}: must be a task name or a {task_name, batch_size} entry`,
      );
      return;
    }
    const normalised = String(name).toLowerCase();
    const first = seen.get(normalised);
    if (first !== undefined) {
      problems.push(
        `${where}${at(['tasks', index])}: task ${String(name)} is listed twice (also tasks.${first}); keep one`,
      );
    }
    seen.set(normalised, index);
  });
  return problems;
}

/** The line (1-based) of the key or list entry at `path`, or of the deepest one of it that exists. */
function lineOf(root: unknown, path: readonly PropertyKey[], lineCounter: LineCounter): number | undefined {
  let node = root;
  let offset = (node as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const keyOf = (item: { key: unknown }) => (isScalar(item.key) ? String(item.key.value) : undefined);
      const snake = (text: string) => text.replaceAll('-', '_');
      // The key as written, else its other spelling (`model-args` for `model_args`).
      const pair =
        node.items.find((item) => keyOf(item) === String(segment)) ??
        node.items.find((item) => snake(keyOf(item) ?? '') === snake(String(segment)));
      if (pair === undefined) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      offset = (item as Node).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** The candidate `name` is most likely a misspelling of: at most 2 edits away (1 for short names), else none. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const simple = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = simple(name) === simple(candidate) ? 0 : editDistance(name.toLowerCase(), candidate);
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= (Math.min(name.length, best.candidate.length) >= 6 ? 2 : 1)
    ? best.candidate
    : undefined;
}

/** Optimal string alignment distance (insertions, deletions, substitutions, adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
