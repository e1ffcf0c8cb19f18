import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type BackendV1,
  ConfigurationError,
  type LoggerV1,
  parsePluginOptions,
  type SandboxV1,
} from '@evalchemy/core';
import {
  answerOptionsOf,
  cacheDirectory,
  createDatasetResolver,
  datasetResolverSettingsFromEnv,
  ResponseCache,
  type RunOutcome,
  runEvaluation,
  type TaskSelection,
} from '@evalchemy/runner';
import { parseInteger, parseKeyValueList, parseRunFlags, runHelp } from './arguments.js';
import { type ConfigFile, readConfigFile } from './config-file.js';
import { exitCodes } from './exit-codes.js';
import {
  corePeerRangeWarnings,
  type DiscoveredPlugin,
  discoverPlugins,
  findPlugin,
  loadPlugin,
} from './plugin-discovery.js';
import { createProgressReporter } from './progress.js';
import { redactSecrets } from './redact-secrets.js';
import { formatResultsTable } from './results-table.js';

/** The judge when neither the user nor any judged benchmark names one. */
export const DEFAULT_ANNOTATOR_MODEL = 'gpt-4o-mini-2024-07-18';
const DEFAULT_JUDGE_BASE_URL = 'https://api.openai.com/v1';
const DEBUG_LIMIT = 5;

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  signal: AbortSignal;
}

/** `evalchemy run`. Returns the exit code (`exit-codes.ts`). */
export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    io.stdout.write(`${runHelp}\n`);
    return 0;
  }
  const config: ConfigFile = flags.config ? await readConfigFile(resolve(io.cwd, flags.config)) : {};
  const backendName = flags.model ?? config.model;
  if (backendName === undefined)
    throw new ConfigurationError(
      '--model is required (a backend id such as openai or llamacpp; see "evalchemy list").',
    );
  const taskOptions = resolveTasks(flags.tasks, config.tasks);
  if (taskOptions.size === 0)
    throw new ConfigurationError(
      '--tasks is required (comma-separated benchmark names; see "evalchemy list").',
    );

  const modelArgs: Record<string, unknown> =
    flags['model-args'] !== undefined
      ? parseKeyValueList(flags['model-args'], '--model_args')
      : typeof config.model_args === 'string'
        ? parseKeyValueList(config.model_args, 'model_args')
        : Object.fromEntries(
            Object.entries(config.model_args ?? {}).map(([key, value]) => [key, String(value)]),
          );
  const limit = flags.debug ? DEBUG_LIMIT : (parseInteger(flags.limit, '--limit', 1) ?? config.limit);
  const concurrency =
    parseInteger(flags.concurrency ?? flags['batch-size'], '--concurrency', 1) ?? config.concurrency ?? 32;
  const seed = parseInteger(flags.seed, '--seed', 0) ?? config.seed ?? 0;
  const maxTokens = parseInteger(flags['max-tokens'], '--max_tokens', 1) ?? config.max_tokens;
  const systemInstruction = flags['system-instruction'] ?? config.system_instruction;
  const predictOnly = flags['predict-only'] ?? config.predict_only ?? false;
  const noCache = flags['no-cache'] ?? config.no_cache ?? false;
  const outputPath = resolve(io.cwd, flags['output-path'] ?? config.output_path ?? 'results');
  const sandboxChoice = flags.sandbox ?? config.sandbox ?? 'auto';
  if (!['auto', 'docker', 'process'].includes(sandboxChoice)) {
    throw new ConfigurationError(`--sandbox must be auto, docker or process, got "${sandboxChoice}".`);
  }
  const allowUnsafeCode = flags['confirm-run-unsafe-code'] ?? config.confirm_run_unsafe_code ?? false;

  const reporter = createProgressReporter(io.stderr);
  const log = reporter.log;
  const plugins = await discoverPlugins(io.cwd);
  const versions: Record<string, string> = {
    '@evalchemy/cli': ownVersion(),
    '@evalchemy/core': installedVersion('@evalchemy/core'),
    '@evalchemy/runner': installedVersion('@evalchemy/runner'),
  };

  // Load and configure everything before any request is sent: a bad option or a missing key fails fast.
  const backendPlugin = findPlugin(plugins, 'backend', backendName);
  const provider = await loadPlugin(backendPlugin, 'backend');
  versions[backendPlugin.packageName] = backendPlugin.packageVersion;
  const backendOptions = parsePluginOptions(
    provider.optionsSchema,
    modelArgs,
    `--model_args for backend ${provider.id} (${backendPlugin.packageName})`,
  );

  const tasks: TaskSelection[] = [];
  const effectiveTaskOptions: Record<string, unknown> = {};
  for (const [name, rawOptions] of taskOptions) {
    const plugin = findPlugin(plugins, 'benchmark', name);
    const benchmark = await loadPlugin(plugin, 'benchmark');
    // Two spellings of one task (`MTBench,mtbench`) run it once, with the options of the first.
    if (benchmark.id in effectiveTaskOptions) continue;
    versions[plugin.packageName] = plugin.packageVersion;
    const options = parsePluginOptions(
      benchmark.optionsSchema,
      rawOptions,
      `options of task ${benchmark.id} (${plugin.packageName})`,
    );
    effectiveTaskOptions[benchmark.id] = options;
    tasks.push({ benchmark, options });
  }

  const judgedTasks = predictOnly
    ? []
    : tasks.filter((task) => Object.keys(task.benchmark.requirements.judges ?? {}).length > 0);
  const needsJudge = judgedTasks.length > 0;
  const needsSandbox = !predictOnly && tasks.some((task) => task.benchmark.requirements.sandbox);
  const requestedJudge = flags['annotator-model'] ?? config.annotator_model ?? config.judge?.model;
  // `auto` is Evalchemy's default value of --annotator_model: the benchmark's reference judge.
  const annotatorModel =
    requestedJudge !== undefined && requestedJudge.toLowerCase() !== 'auto'
      ? requestedJudge
      : (benchmarkJudgeModel(tasks, log) ?? DEFAULT_ANNOTATOR_MODEL);
  const judgeBackend = needsJudge
    ? await createJudgeBackend(plugins, versions, {
        model: annotatorModel,
        baseUrl: config.judge?.base_url,
        env: io.env,
        log,
      })
    : undefined;
  const sandbox = needsSandbox
    ? await createSandbox(plugins, versions, sandboxChoice, allowUnsafeCode, log)
    : undefined;
  // `versions` names every plugin package this run loaded.
  for (const warning of corePeerRangeWarnings(plugins.filter(({ packageName }) => packageName in versions))) {
    log.warn(warning);
  }
  const backend: BackendV1 = provider.createBackend(backendOptions, { env: io.env, log });

  const outcome = await runEvaluation({
    backend,
    tasks,
    datasets: createDatasetResolver({ ...datasetResolverSettingsFromEnv(io.env), log }),
    outputPath,
    cache: new ResponseCache({
      directory: join(cacheDirectory(io.env), 'responses'),
      enabled: !noCache,
      log,
    }),
    concurrency,
    seed,
    limit,
    maxTokens,
    systemInstruction,
    predictOnly,
    judges:
      judgeBackend &&
      Object.fromEntries(
        judgedTasks.map((task) => [
          task.benchmark.id,
          Object.fromEntries(
            Object.keys(task.benchmark.requirements.judges ?? {}).map((role) => [role, judgeBackend]),
          ),
        ]),
      ),
    sandbox,
    // What of the model's options enters each task's identity in the results file.
    answerOptions: new Map([[backend, answerOptionsOf(provider, backendOptions)]]),
    keySources: {
      model: modelKeySource(provider.id, modelArgs, flags['model-args'] !== undefined, io.env),
      judge: ['EVALCHEMY_JUDGE_API_KEY', 'OPENAI_API_KEY'].find((name) => io.env[name] !== undefined),
    },
    effectiveConfig: {
      model: provider.id,
      model_args: redactSecrets(modelArgs),
      tasks: effectiveTaskOptions,
      limit: limit ?? null,
      seed,
      max_tokens: maxTokens ?? null,
      concurrency,
      system_instruction: systemInstruction ?? null,
      annotator_model: needsJudge ? annotatorModel : null,
      predict_only: predictOnly,
      no_cache: noCache,
      sandbox: sandbox ? sandbox.id : null,
      output_path: outputPath,
    },
    versions,
    log,
    onEvent: reporter.onEvent,
    signal: io.signal,
    workingDirectory: io.cwd,
  });
  const showAll = flags['show-all-metrics'] ?? false;
  io.stdout.write(`\n${formatResultsTable(outcome.tasks, { showAll })}\n`);
  return reportProblems(outcome, io.stderr);
}

/** Says what went wrong in a run that finished, and returns its exit code. */
function reportProblems(outcome: RunOutcome, stderr: CommandIo['stderr']): number {
  const failedTasks = outcome.tasks.filter((task) => task.samples.failed > 0);
  if (failedTasks.length > 0) {
    const failed = failedTasks.reduce((sum, task) => sum + task.samples.failed, 0);
    const total = failedTasks.reduce((sum, task) => sum + task.samples.total, 0);
    const perTask = failedTasks
      .map((task) => `${task.task} ${task.samples.failed} of ${task.samples.total} (${task.sampleError})`)
      .join('; ');
    stderr.write(
      `error: ${failed} of ${total} samples failed for infrastructure reasons and are left out of the metrics: ${perTask}. ` +
        'Each failed sample has its error in the samples file; run the same command again to retry them (completed responses come from the cache).\n',
    );
  }
  if (outcome.cacheError) {
    stderr.write(
      `error: ${outcome.cacheError.message} The results are complete (${outcome.resultsPath}), but the responses ` +
        'received after the failed write are not cached: this run cannot be resumed or re-scored from the cache.\n',
    );
  }
  if (!outcome.complete) return exitCodes.taskFailed;
  if (failedTasks.length > 0) return exitCodes.samplesFailed;
  if (outcome.cacheError) return exitCodes.storage;
  return exitCodes.done;
}

/** Where the model's API key comes from, named when its server refuses it (never the key itself). */
function modelKeySource(
  backend: string,
  modelArgs: Record<string, unknown>,
  fromFlag: boolean,
  env: Record<string, string | undefined>,
): string | undefined {
  if (modelArgs.api_key !== undefined)
    return fromFlag ? '--model_args api_key' : 'model_args.api_key in --config';
  if (backend === 'openai' && env.OPENAI_API_KEY !== undefined) return 'OPENAI_API_KEY';
  return undefined;
}

/** Like Evalchemy's `--annotator_model auto`: the judge the selected benchmarks' reference implementations use. */
function benchmarkJudgeModel(tasks: TaskSelection[], log: LoggerV1): string | undefined {
  const models = new Set(
    tasks.flatMap((task) =>
      Object.values(task.benchmark.requirements.judges ?? {}).map((role) => role.defaultModel),
    ),
  );
  const [first] = models;
  if (models.size > 1)
    log.warn(
      `The selected tasks use different default judges (${[...models].join(', ')}); using ${first}. Pass --annotator_model to choose.`,
    );
  return first;
}

function resolveTasks(
  flag: string | undefined,
  fromConfig: ConfigFile['tasks'],
): Map<string, Record<string, unknown>> {
  const configured = new Map<string, Record<string, unknown>>();
  if (Array.isArray(fromConfig)) for (const name of fromConfig) configured.set(name.toLowerCase(), {});
  else
    for (const [name, options] of Object.entries(fromConfig ?? {}))
      configured.set(name.toLowerCase(), options ?? {});
  if (flag === undefined) return configured;
  const selected = new Map<string, Record<string, unknown>>();
  for (const name of flag
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    selected.set(name, configured.get(name.toLowerCase()) ?? {});
  }
  return selected;
}

async function createJudgeBackend(
  plugins: DiscoveredPlugin[],
  versions: Record<string, string>,
  settings: {
    model: string;
    baseUrl: string | undefined;
    env: Record<string, string | undefined>;
    log: LoggerV1;
  },
): Promise<BackendV1> {
  // OPENAI_BASE_URL as the openai backend and Evalchemy's judge client (the openai SDK) read it; empty is unset.
  const baseUrl =
    settings.baseUrl ||
    settings.env.EVALCHEMY_JUDGE_BASE_URL ||
    settings.env.OPENAI_BASE_URL ||
    DEFAULT_JUDGE_BASE_URL;
  const apiKey = settings.env.EVALCHEMY_JUDGE_API_KEY ?? settings.env.OPENAI_API_KEY;
  if (apiKey === undefined && baseUrl === DEFAULT_JUDGE_BASE_URL) {
    throw new ConfigurationError(
      `The judge (${settings.model} at ${baseUrl}) needs an API key: set EVALCHEMY_JUDGE_API_KEY or OPENAI_API_KEY, ` +
        'or point EVALCHEMY_JUDGE_BASE_URL (or OPENAI_BASE_URL) at an OpenAI-compatible server of your own. ' +
        'Nothing was generated.',
    );
  }
  const plugin = findPlugin(plugins, 'backend', 'openai');
  const provider = await loadPlugin(plugin, 'backend');
  versions[plugin.packageName] = plugin.packageVersion;
  const options = parsePluginOptions(
    provider.optionsSchema,
    { model: settings.model, base_url: baseUrl, ...(apiKey !== undefined ? { api_key: apiKey } : {}) },
    `judge backend (${plugin.packageName})`,
  );
  return provider.createBackend(options, { env: {}, log: settings.log });
}

async function createSandbox(
  plugins: DiscoveredPlugin[],
  versions: Record<string, string>,
  choice: string,
  allowUnsafeCode: boolean,
  log: LoggerV1,
): Promise<SandboxV1> {
  const order = choice === 'auto' ? ['docker', 'process'] : [choice];
  const reasons: string[] = [];
  for (const id of order) {
    let plugin: DiscoveredPlugin;
    try {
      plugin = findPlugin(plugins, 'sandbox', id);
    } catch (error) {
      reasons.push((error as Error).message);
      continue;
    }
    const provider = await loadPlugin(plugin, 'sandbox');
    const options = parsePluginOptions(provider.optionsSchema, {}, `sandbox ${id} (${plugin.packageName})`);
    const available = await provider.checkAvailable(options);
    if (available === true) {
      versions[plugin.packageName] = plugin.packageVersion;
      return provider.createSandbox(options, { log });
    }
    reasons.push(`${id}: ${available}`);
    if (id === 'process' && allowUnsafeCode) {
      const unsafe = parsePluginOptions(
        provider.optionsSchema,
        { unsafe_no_isolation: true },
        `sandbox ${id} (${plugin.packageName})`,
      );
      log.warn(
        'No sandbox is available: generated code runs as plain processes with resource limits only (--confirm_run_unsafe_code).',
      );
      versions[plugin.packageName] = plugin.packageVersion;
      return provider.createSandbox(unsafe, { log });
    }
  }
  throw new ConfigurationError(
    `Generated code must run in a sandbox, and none is available:\n  ${reasons.join('\n  ')}\n` +
      'Install Docker (and run "evalchemy sandbox build") or bubblewrap (apt-get install bubblewrap); ' +
      'or pass --confirm_run_unsafe_code to run it without isolation at your own risk.',
  );
}

/** Version of a package this CLI imports (its entry is `<package>/dist/index.js`). */
function installedVersion(name: string): string {
  const packageJson = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.resolve(name)), 'utf8'),
  ) as { version: string };
  return packageJson.version;
}

function ownVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return packageJson.version;
}
