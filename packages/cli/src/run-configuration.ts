import { resolve } from 'node:path';
import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';
import { parseAmount, parseInteger, parseKeyValueList, type RunFlags } from './arguments.js';
import type { ConfigFile } from './config-file.js';
import { routeModel } from './model-routing.js';
import { pushModelOptions } from './open-cli-leaderboard.js';

/** The judge backend when neither flags nor the config file name one. */
export const DEFAULT_JUDGE_BACKEND = 'openai';
const DEBUG_LIMIT = 5;
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
  limit: z.number().int().positive().optional(),
  concurrency: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  maxTokens: z.number().int().positive().optional(),
  systemInstruction: z.string().optional(),
  predictOnly: z.boolean(),
  noCache: z.boolean(),
  /** Absolute. */
  outputPath: z.string(),
  sandbox: z.enum(['auto', 'docker', 'process']),
  allowUnsafeCode: z.boolean(),
  showAllMetrics: z.boolean(),
  /**
   * `--use_database`: where to push the run when it ends and how to record its model (Evalchemy's flags, as
   * given); absent without it.
   */
  leaderboard: z
    .object({
      databaseUrl: z.string().optional(),
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
  const configuration: RunConfiguration = {
    model: routeModel(
      backend,
      pluginArgs(flags['model-args'], config.model_args, '--model_args', 'model_args'),
      flags['model-name'] ?? config.model_name,
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
    limit: flags.debug ? DEBUG_LIMIT : (parseInteger(flags.limit, '--limit', 1) ?? config.limit),
    concurrency:
      parseInteger(flags.concurrency ?? flags['batch-size'], '--concurrency', 1) ??
      config.concurrency ??
      DEFAULT_CONCURRENCY,
    seed: parseInteger(flags.seed, '--seed', 0) ?? config.seed ?? 0,
    maxTokens: parseInteger(flags['max-tokens'], '--max_tokens', 1) ?? config.max_tokens,
    systemInstruction: flags['system-instruction'] ?? config.system_instruction,
    predictOnly: flags['predict-only'] ?? config.predict_only ?? false,
    noCache: flags['no-cache'] ?? config.no_cache ?? false,
    outputPath: resolve(cwd, flags['output-path'] ?? config.output_path ?? 'results'),
    sandbox,
    allowUnsafeCode: flags['confirm-run-unsafe-code'] ?? config.confirm_run_unsafe_code ?? false,
    showAllMetrics: flags['show-all-metrics'] ?? false,
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
    modelFlags: Object.fromEntries(Object.entries(modelFlags).filter(([, value]) => value !== undefined)),
  };
}

/** The leaderboard flags given without `--use_database`, which they need (for a warning). */
export function unusedLeaderboardFlags(flags: RunFlags, config: ConfigFile): string[] {
  if (flags['use-database'] ?? config.use_database) return [];
  return (['model-id', 'created-by', 'creation-location', 'is-external-model', 'database-url'] as const)
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
