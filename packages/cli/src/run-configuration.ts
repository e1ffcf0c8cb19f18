import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';
import { parseAmount, parseInteger, parseKeyValueList, type RunFlags } from './arguments.js';
import type { ConfigFile } from './config-file.js';
import {
  ignoredFlagWarnings,
  parseBatchSize,
  parseChatTemplate,
  parseGenKwargs,
  parseLimit,
  parseSeed,
  parseVerbosity,
} from './harness-flags.js';
import { routeModel } from './model-routing.js';
import { pushModelOptions } from './open-cli-leaderboard.js';
import { parseRunName, parseShard } from './shard-flags.js';

/** The judge backend when neither flags nor the config file name one. */
export const DEFAULT_JUDGE_BACKEND = 'openai';
const DEFAULT_CONCURRENCY = 32;

/**
 * Where a plugin's options were written, for messages: `--judge_args` on the command line, or a key of the
 * config file (`judges.mtbench.args`).
 */
const argsSourceSchema = z.object({ name: z.string(), inConfig: z.boolean() });
export type ArgsSource = z.infer<typeof argsSourceSchema>;

/** A plugin's options as the user wrote them (values are strings; the plugin's own schema parses them). */
const pluginArgsSchema = z.object({ values: z.record(z.string(), z.string()), source: argsSourceSchema });
export type PluginArgs = z.infer<typeof pluginArgsSchema>;

/** The judge settings of one level: the command line, the whole config file, one task or one role of it. */
const judgeLevelSchema = z.object({
  backend: z.string().min(1).optional(),
  args: pluginArgsSchema.optional(),
  /** A model name, or `auto` for each role's reference judge; `source` names where it was set. */
  model: z.object({ value: z.string().min(1), source: z.string() }).optional(),
});
export type JudgeLevel = z.infer<typeof judgeLevelSchema>;

/**
 * One validated run, from flags and config file, before any plugin is loaded. A new setting is a field here
 * and a line in `buildRunConfiguration`; what plugins make of it belongs to `run-plugins.ts`.
 */
export const runConfigurationSchema = z.object({
  /** The backend under evaluation (`--model`, `--model_args`). */
  model: z.object({ backend: z.string().min(1), args: pluginArgsSchema }),
  /** The tasks as named (`MTBench`), each with its raw options from the config file. */
  tasks: z.array(z.object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()) })).min(1),
  /**
   * Judge settings by level, widest first; `chooseJudge` combines them for one task and role. `tasks` is
   * keyed by task name as written in the config file, with that task's `roles`.
   */
  judges: z.object({
    file: judgeLevelSchema,
    tasks: z.record(
      z.string(),
      z.object({ task: judgeLevelSchema, roles: z.record(z.string(), judgeLevelSchema) }),
    ),
    flags: judgeLevelSchema,
  }),
  /** What `--annotator_model` (or the file's `annotator_model`) asked for, as recorded in results. */
  annotatorModel: z.string().min(1),
  /** `--max_cost`: budget in US dollars over the model's and the judges' requests. */
  maxCostUsd: z.number().nonnegative().optional(),
  /** The config file's `judge_prices`: US dollars per million tokens by judge model. */
  judgePrices: z.record(z.string(), z.object({ input: z.number(), output: z.number() })).optional(),
  /** A count of samples per task, or a share of each task below 1 (`--limit 0.1`). */
  limit: z.number().positive().optional(),
  /** `--debug`: each task's own debug size (`BenchmarkV1.debugLimit`), instead of `limit`. */
  debug: z.boolean(),
  concurrency: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  /** lm-evaluation-harness's four `--seed` values, as given (recorded); absent without `--seed`. */
  seeds: z.array(z.number().int().nonnegative().nullable()).length(4).optional(),
  maxTokens: z.number().int().positive().optional(),
  /** `--num_fewshot`: the `num_fewshot` option of every task that has one. */
  numFewshot: z.number().int().nonnegative().optional(),
  /** `--gen_kwargs`: what replaces each generating task's own settings; `genKwargs` as given (recorded). */
  generation: z
    .object({
      temperature: z.number().optional(),
      topP: z.number().optional(),
      stop: z.array(z.string()).optional(),
    })
    .optional(),
  genKwargs: z.record(z.string(), z.unknown()).optional(),
  /** `--apply_chat_template` (null: not given) and `--fewshot_as_multiturn`, as recorded. */
  chatTemplate: z.object({
    applyChatTemplate: z.union([z.boolean(), z.string(), z.null()]),
    fewshotAsMultiturn: z.boolean(),
  }),
  /** `--output_path FILE.json`: the results file's exact path (absolute); `outputPath` is then its folder. */
  resultsFile: z.string().optional(),
  /** `--include_path`: folders of more plugin packages (absolute). */
  includePaths: z.array(z.string()),
  /** `--verbosity`: the least severe messages shown. */
  verbosity: z.enum(['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG']),
  /** `--show_config`: print the results' configuration after the run. */
  showConfig: z.boolean(),
  /** What the flags ask that cannot be honoured, said before the run. */
  warnings: z.array(z.string()),
  systemInstruction: z.string().optional(),
  predictOnly: z.boolean(),
  noCache: z.boolean(),
  /** Absolute. */
  outputPath: z.string(),
  sandbox: z.enum(['auto', 'docker', 'process']),
  allowUnsafeCode: z.boolean(),
  showAllMetrics: z.boolean(),
  /** `--shard I/N` (or `--num_shards N --shard_index I`): run only that shard's share of every task. */
  shard: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  /** `--run_id`: the run's name, which gives the results' `run_id`. */
  runName: z.string().optional(),
  /**
   * `--use_database`: where to push the run when it ends and how to record its model (Evalchemy's flags, as
   * given); absent without it.
   */
  leaderboard: z
    .object({
      databaseUrl: z.string().optional(),
      /** `--overwrite-database`: with `--model_id`, also run the tasks the leaderboard has for that model. */
      overwrite: z.boolean().optional(),
      modelFlags: z.object({
        'model-id': z.string().optional(),
        'model-name': z.string().optional(),
        'created-by': z.string().optional(),
        'creation-location': z.string().optional(),
        'is-external-model': z.boolean().optional(),
      }),
    })
    .optional(),
});
export type RunConfiguration = z.infer<typeof runConfigurationSchema>;

/** Flags win over the config file; relative paths are taken from `cwd`. Loads no plugin. */
export function buildRunConfiguration(flags: RunFlags, config: ConfigFile, cwd: string): RunConfiguration {
  const backend = flags.model ?? config.model;
  if (backend === undefined)
    throw new ConfigurationError(
      '--model is required (a backend id such as openai or llamacpp; see "evalchemy list").',
    );
  const tasks = resolveTasks(flags.tasks, config.tasks);
  if (tasks.length === 0)
    throw new ConfigurationError(
      '--tasks is required (comma-separated benchmark names; see "evalchemy list").',
    );
  const sandbox = flags.sandbox ?? config.sandbox ?? 'auto';
  if (sandbox !== 'auto' && sandbox !== 'docker' && sandbox !== 'process') {
    throw new ConfigurationError(`--sandbox must be auto, docker or process, got "${sandbox}".`);
  }
  const warnings = ignoredFlagWarnings(flags);
  const seeds = flags.seed !== undefined ? parseSeed(flags.seed) : undefined;
  const gen = flags['gen-kwargs'] !== undefined ? parseGenKwargs(flags['gen-kwargs']) : undefined;
  const chatTemplate = parseChatTemplate(flags);
  warnings.push(...(seeds?.warnings ?? []), ...(gen?.warnings ?? []), ...chatTemplate.warnings);
  const maxTokensFlag = parseInteger(flags['max-tokens'], '--max_tokens', 1);
  if (
    maxTokensFlag !== undefined &&
    gen?.generation.maxTokens !== undefined &&
    gen.generation.maxTokens !== maxTokensFlag
  ) {
    throw new ConfigurationError(
      `--max_tokens ${maxTokensFlag} and --gen_kwargs max_gen_toks=${gen.generation.maxTokens} give two different maximums: give one.`,
    );
  }
  const limitFlag = parseLimit(flags.limit);
  if (flags.debug && limitFlag !== undefined) {
    warnings.push(`--debug runs each task's debug size; --limit ${flags.limit} is not used.`);
  }
  const batchSize = parseBatchSize(flags['batch-size']);
  const shard = parseShard(flags);
  const runName = parseRunName(flags['run-id']);
  if (shard !== undefined && /\.json$/i.test(flags['output-path'] ?? config.output_path ?? '')) {
    throw new ConfigurationError(
      `--output_path ${flags['output-path'] ?? config.output_path} with --shard: give a folder (shared by every shard), where each shard writes results_<time>_shard-I-of-N.json and evalchemy merge finds them.`,
    );
  }
  if (shard !== undefined && (flags['use-database'] ?? config.use_database ?? false)) {
    throw new ConfigurationError(
      `--use_database with --shard ${shard.index}/${shard.count}: a shard's results are only its share of each task. ` +
        'Run the shards without --use_database, merge the shards first (evalchemy merge DIR), then add the merged ' +
        'results with evalchemy leaderboard push.',
    );
  }
  const output = resolve(cwd, flags['output-path'] ?? config.output_path ?? 'results');
  const resultsFile = /\.json$/i.test(output) ? output : undefined;
  const { temperature, topP, stop } = gen?.generation ?? {};
  const generation = {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(stop !== undefined ? { stop } : {}),
  };
  const configuration: RunConfiguration = {
    model: routeModel(
      backend,
      pluginArgs(flags['model-args'], config.model_args, '--model_args', 'model_args'),
      flags['model-name'] ?? config.model_name,
      {
        applyChatTemplate: chatTemplate.applyChatTemplate,
        trustRemoteCode: flags['trust-remote-code'] ?? false,
        warn: (message) => warnings.push(message),
      },
    ),
    tasks,
    judges: {
      file: judgeLevel(config.judge_backend, config.judge_args, config.annotator_model, {
        args: 'judge_args',
        model: 'annotator_model in --config',
      }),
      tasks: Object.fromEntries(
        Object.entries(config.judges ?? {}).map(([task, setting]) => [
          task,
          {
            task: judgeLevel(setting.backend, setting.args, setting.model, {
              args: `judges.${task}.args`,
              model: `judges.${task}.model in --config`,
            }),
            roles: Object.fromEntries(
              Object.entries(setting.roles ?? {}).map(([role, roleSetting]) => [
                role,
                judgeLevel(roleSetting.backend, roleSetting.args, roleSetting.model, {
                  args: `judges.${task}.roles.${role}.args`,
                  model: `judges.${task}.roles.${role}.model in --config`,
                }),
              ]),
            ),
          },
        ]),
      ),
      flags: {
        ...(flags['judge-backend'] !== undefined ? { backend: flags['judge-backend'] } : {}),
        ...(flags['judge-args'] !== undefined
          ? { args: pluginArgs(flags['judge-args'], undefined, '--judge_args', 'judge_args') }
          : {}),
        ...(flags['annotator-model'] !== undefined
          ? { model: { value: flags['annotator-model'], source: '--annotator_model' } }
          : {}),
      },
    },
    annotatorModel: flags['annotator-model'] ?? config.annotator_model ?? 'auto',
    judgePrices: config.judge_prices,
    maxCostUsd: parseAmount(flags['max-cost'], '--max_cost') ?? config.max_cost,
    limit: flags.debug ? undefined : (limitFlag ?? config.limit),
    debug: flags.debug ?? false,
    concurrency:
      parseInteger(flags.concurrency, '--concurrency', 1) ??
      // `auto` leaves the choice to the config file, else the default, as not giving it does.
      (batchSize === 'auto' ? undefined : batchSize) ??
      config.concurrency ??
      DEFAULT_CONCURRENCY,
    seed: seeds !== undefined ? (seeds.seed ?? 0) : (config.seed ?? 0),
    ...(seeds !== undefined ? { seeds: seeds.values } : {}),
    maxTokens: maxTokensFlag ?? gen?.generation.maxTokens ?? config.max_tokens,
    numFewshot: parseInteger(flags['num-fewshot'], '--num_fewshot', 0),
    ...(Object.keys(generation).length > 0 ? { generation } : {}),
    ...(gen !== undefined ? { genKwargs: gen.recorded } : {}),
    chatTemplate: {
      applyChatTemplate: chatTemplate.applyChatTemplate,
      fewshotAsMultiturn: chatTemplate.fewshotAsMultiturn,
    },
    ...(resultsFile !== undefined ? { resultsFile } : {}),
    includePaths: flags['include-path'] !== undefined ? [resolve(cwd, flags['include-path'])] : [],
    verbosity: parseVerbosity(flags.verbosity) ?? 'INFO',
    showConfig: flags['show-config'] ?? false,
    warnings,
    systemInstruction: flags['system-instruction'] ?? config.system_instruction,
    predictOnly: flags['predict-only'] ?? config.predict_only ?? false,
    noCache: flags['no-cache'] ?? config.no_cache ?? false,
    outputPath: resultsFile !== undefined ? dirname(resultsFile) : output,
    sandbox,
    allowUnsafeCode: flags['confirm-run-unsafe-code'] ?? config.confirm_run_unsafe_code ?? false,
    showAllMetrics: flags['show-all-metrics'] ?? false,
    ...(shard !== undefined ? { shard } : {}),
    ...(runName !== undefined ? { runName } : {}),
    ...((flags['use-database'] ?? config.use_database ?? false)
      ? { leaderboard: leaderboardSettings(flags, config) }
      : {}),
  };
  const parsed = runConfigurationSchema.safeParse(configuration);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(run)'}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(`Invalid run configuration: ${problems}.`);
  }
  return parsed.data;
}

/** The leaderboard push of `--use_database`; `--model_name` names the model there too. */
function leaderboardSettings(
  flags: RunFlags,
  config: ConfigFile,
): NonNullable<RunConfiguration['leaderboard']> {
  const modelFlags = {
    'model-id': flags['model-id'],
    'model-name': flags['model-name'] ?? config.model_name,
    'created-by': flags['created-by'],
    'creation-location': flags['creation-location'],
    'is-external-model': flags['is-external-model'],
  };
  // Checked before the run, so that a malformed id does not cost a run that could not be recorded.
  pushModelOptions(modelFlags);
  return {
    ...(flags['database-url'] !== undefined ? { databaseUrl: flags['database-url'] } : {}),
    ...(flags['overwrite-database'] ? { overwrite: true } : {}),
    modelFlags: Object.fromEntries(Object.entries(modelFlags).filter(([, value]) => value !== undefined)),
  };
}

/** The leaderboard flags given without `--use_database`, which they need (for a warning). */
export function unusedLeaderboardFlags(flags: RunFlags, config: ConfigFile): string[] {
  if (flags['use-database'] ?? config.use_database) return [];
  return (
    [
      'model-id',
      'created-by',
      'creation-location',
      'is-external-model',
      'database-url',
      'overwrite-database',
    ] as const
  )
    .filter((name) => flags[name] !== undefined)
    .map((name) => `--${name.replaceAll('-', '_')}`);
}

/**
 * The judge of one task and role, from the levels widest first (config file, task, role, flags). A level's
 * field wins over the wider ones; a level that names another backend than the wider ones starts afresh,
 * without their args and model, which were meant for that other backend.
 */
export function chooseJudge(levels: JudgeLevel[]): JudgeLevel & { backend: string } {
  let choice: JudgeLevel & { backend: string } = { backend: DEFAULT_JUDGE_BACKEND };
  for (const level of levels) {
    if (level.backend !== undefined && level.backend !== choice.backend) choice = { backend: level.backend };
    if (level.args !== undefined) choice.args = level.args;
    if (level.model !== undefined) choice.model = level.model;
  }
  return choice;
}

function judgeLevel(
  backend: string | undefined,
  args: ConfigFile['judge_args'],
  model: string | undefined,
  names: { args: string; model: string },
): JudgeLevel {
  return {
    ...(backend !== undefined ? { backend } : {}),
    ...(args !== undefined ? { args: pluginArgs(undefined, args, names.args, names.args) } : {}),
    ...(model !== undefined ? { model: { value: model, source: names.model } } : {}),
  };
}

/** Options from a `k=v,…` flag, else from the config file (a `k=v,…` string or a mapping); `{}` from neither. */
function pluginArgs(
  flag: string | undefined,
  fromConfig: ConfigFile['model_args'],
  flagName: string,
  configName: string,
): PluginArgs {
  if (flag !== undefined)
    return { values: parseKeyValueList(flag, flagName), source: { name: flagName, inConfig: false } };
  const source = { name: configName, inConfig: true };
  if (typeof fromConfig === 'string')
    return { values: parseKeyValueList(fromConfig, `${configName} in --config`), source };
  return {
    values: Object.fromEntries(Object.entries(fromConfig ?? {}).map(([key, value]) => [key, String(value)])),
    source,
  };
}

/** The tasks of `--tasks` (with their options from the file), else the file's `tasks`. */
function resolveTasks(flag: string | undefined, fromConfig: ConfigFile['tasks']): RunConfiguration['tasks'] {
  const configured = new Map<string, Record<string, unknown>>();
  if (Array.isArray(fromConfig)) for (const name of fromConfig) configured.set(name.toLowerCase(), {});
  else
    for (const [name, options] of Object.entries(fromConfig ?? {}))
      configured.set(name.toLowerCase(), options ?? {});
  if (flag === undefined) return [...configured].map(([name, options]) => ({ name, options }));
  return flag
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((name) => ({ name, options: configured.get(name.toLowerCase()) ?? {} }));
}
