import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '@evalchemy/core';
import { parse as parseYaml } from 'yaml';
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

export const configFileSchema = z
  .object({
    model: z.string().describe('Backend id, e.g. openai, llamacpp, replay.').optional(),
    model_args: pluginArgs.describe('Backend options: "k=v,k2=v2" or a mapping.').optional(),
    tasks: z
      .union([z.array(z.string()), z.record(z.string(), z.record(z.string(), z.unknown()).nullable())])
      .describe("Task names, or a mapping from task name to that task's options.")
      .optional(),
    output_path: z.string().describe('Directory for results and samples files.').optional(),
    limit: z.number().int().positive().describe('Only the first N samples of each task.').optional(),
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
      .describe('Requests in flight at once (model and each judge backend).')
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

export type ConfigFile = z.infer<typeof configFileSchema>;

/** The JSON Schema of the config file (kept in packages/cli/config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema) as Record<string, unknown>;
}

export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    // Without prettyErrors: the pretty message quotes the offending line, which may hold a key.
    value = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    const start = (error as { pos?: [number, number] }).pos?.[0];
    const line = start === undefined ? '' : ` (line ${text.slice(0, start).split('\n').length})`;
    throw new ConfigurationError(
      `Config file ${path} is not valid YAML${line}: ${(error as Error).message}.`,
    );
  }
  const parsed = configFileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(`Config file ${path} is invalid: ${problems}.`);
  }
  return parsed.data;
}
