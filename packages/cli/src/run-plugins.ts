import {
  type BackendProviderV1,
  type BackendV1,
  ConfigurationError,
  type JudgeRoleV1,
  judgeRolesOf,
  type LoggerV1,
  parsePluginOptions,
  type SandboxV1,
} from '@evalchemy/core';
import { answerOptionsOf, type TaskSelection } from '@evalchemy/runner';
import {
  corePeerRangeWarnings,
  type DiscoveredPlugin,
  discoverPlugins,
  findBenchmarks,
  findPlugin,
  findPlugins,
  loadPlugin,
  pluginAnswersTo,
} from './plugin-discovery.js';
import { redactSecrets } from './redact-secrets.js';
import {
  type ArgsSource,
  chooseJudge,
  type JudgeLevel,
  type PluginArgs,
  type RunConfiguration,
} from './run-configuration.js';

const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** What a judge of one task and role is, as recorded in the results' effective configuration. */
export interface JudgeRecord {
  backend: string;
  model: string;
  /** The options the backend was created with, secrets redacted. */
  args: Record<string, unknown>;
}

/** The plugins of a run, loaded and configured: everything the runner needs, nothing started yet. */
export interface RunPlugins {
  backend: BackendV1;
  tasks: TaskSelection[];
  /** Parsed options of each task, by task id. */
  taskOptions: Record<string, unknown>;
  /** `judges[task][role]`; one object for identical settings. Empty when nothing is judged. */
  judges: Record<string, Record<string, BackendV1>>;
  judgeRecords: Record<string, Record<string, JudgeRecord>>;
  sandbox: SandboxV1 | undefined;
  /** Where the model's and the judges' API keys came from (never a key). */
  keySources: { model?: string; judge?: string };
  /** Package version of every plugin used, by package name. */
  versions: Record<string, string>;
  /** The answer-changing options of the model's and every judge's backend (`answerOptionsOf`). */
  answerOptions: Map<BackendV1, Record<string, unknown>>;
}

interface LoadContext {
  cwd: string;
  env: Record<string, string | undefined>;
  log: LoggerV1;
}

/**
 * Finds, imports and configures the run's backend, tasks, judges and sandbox. Every option is parsed and every
 * key looked for before anything is created that could send a request: a bad option or a missing key fails
 * fast.
 */
export async function loadRunPlugins(
  configuration: RunConfiguration,
  context: LoadContext,
): Promise<RunPlugins> {
  const plugins = await discoverPlugins(context.cwd, { includePaths: configuration.includePaths });
  // Every missing plugin of the run at once (a suite naming three uninstalled tasks: one error, three packages).
  findPlugins(plugins, [
    { kind: 'backend', name: configuration.model.backend },
    ...configuration.tasks.map(({ name }) => ({ kind: 'benchmark' as const, name })),
  ]);
  const versions: Record<string, string> = {};
  const load = pluginLoader(context.log);
  const loadBackendProvider = async (name: string) => {
    const plugin = findPlugin(plugins, 'backend', name);
    const provider = await load(plugin, 'backend');
    versions[plugin.packageName] = plugin.packageVersion;
    return { plugin, provider };
  };

  const { plugin: backendPlugin, provider } = await loadBackendProvider(configuration.model.backend);
  const backendOptions = parsePluginOptions(
    provider.optionsSchema,
    configuration.model.args.values,
    `${describeSource(configuration.model.args.source)} for backend ${provider.id} (${backendPlugin.packageName})`,
  );

  const tasks: TaskSelection[] = [];
  const taskPlugins = new Map<string, DiscoveredPlugin>();
  const taskOptions: Record<string, unknown> = {};
  // A tag (`ai2_arc`) selects every benchmark carrying it, each with the tag's options.
  const selected = configuration.tasks.flatMap(({ name, options }) =>
    findBenchmarks(plugins, name).map((plugin) => ({ plugin, options })),
  );
  for (const { plugin, options: rawOptions } of selected) {
    const benchmark = await load(plugin, 'benchmark');
    // Two spellings of one task (`MTBench,mtbench`) run it once, with the options of the first.
    if (benchmark.id in taskOptions) continue;
    versions[plugin.packageName] = plugin.packageVersion;
    const fewshot = withNumFewshot(benchmark, rawOptions, configuration.numFewshot, context.log);
    const options = parsePluginOptions(
      benchmark.optionsSchema,
      fewshot.options,
      `options of task ${benchmark.id} (${plugin.packageName}${fewshot.fromFlag ? '; num_fewshot from --num_fewshot' : ''})`,
    );
    taskOptions[benchmark.id] = options;
    taskPlugins.set(benchmark.id, plugin);
    tasks.push({ benchmark, options });
  }

  const answerOptions = new Map<BackendV1, Record<string, unknown>>();
  const judges = configuration.predictOnly
    ? { judges: {}, records: {}, keySources: [] }
    : await createJudges(configuration, tasks, taskPlugins, {
        ...context,
        loadBackendProvider,
        answerOptions,
      });

  warnUnusedJudgeFlags(configuration, Object.keys(judges.judges).length > 0, context.log);

  const needsSandbox =
    !configuration.predictOnly && tasks.some((task) => task.benchmark.requirements.sandbox);
  const sandbox = needsSandbox
    ? await createSandbox(plugins, versions, configuration, context.log, load)
    : undefined;
  const backend = provider.createBackend(backendOptions, { env: context.env, log: context.log });
  answerOptions.set(backend, answerOptionsOf(provider, backendOptions));
  return {
    backend,
    tasks,
    taskOptions,
    judges: judges.judges,
    judgeRecords: judges.records,
    sandbox,
    keySources: {
      model: modelKeySource(provider.id, configuration.model.args, context.env),
      judge: judges.keySources.length > 0 ? judges.keySources.join(' or ') : undefined,
    },
    versions,
    answerOptions,
  };
}

/**
 * The judge backend of every role of every judged task, chosen from the configuration's levels. One backend
 * object per distinct setting: it is started once and shared by the roles and tasks it serves.
 */
async function createJudges(
  configuration: RunConfiguration,
  tasks: TaskSelection[],
  taskPlugins: Map<string, DiscoveredPlugin>,
  context: LoadContext & {
    loadBackendProvider(
      name: string,
    ): Promise<{ plugin: DiscoveredPlugin; provider: BackendProviderV1<unknown> }>;
    /** Filled with each judge backend's answer-changing options. */
    answerOptions: Map<BackendV1, Record<string, unknown>>;
  },
): Promise<{ judges: RunPlugins['judges']; records: RunPlugins['judgeRecords']; keySources: string[] }> {
  const judges: RunPlugins['judges'] = {};
  const records: RunPlugins['judgeRecords'] = {};
  const keySources = new Set<string>();
  const levelsByTask = judgeLevelsByTask(configuration, taskPlugins, context.log);
  const created = new Map<string, BackendV1>();
  for (const { benchmark, options } of tasks) {
    const roles = judgeRolesOf(benchmark, options);
    const levels = levelsByTask.get(benchmark.id);
    for (const role of Object.keys(levels?.roles ?? {})) {
      if (!(role in roles)) {
        throw new ConfigurationError(
          `judges.${levels!.key}.roles.${role} in --config: task ${benchmark.id} has no judge role "${role}" ` +
            `(${Object.keys(roles).length > 0 ? `its roles: ${Object.keys(roles).join(', ')}` : 'it is not judged'}).`,
        );
      }
    }
    if (Object.keys(roles).length === 0) continue;
    const taskJudges: Record<string, BackendV1> = {};
    const taskRecords: Record<string, JudgeRecord> = {};
    judges[benchmark.id] = taskJudges;
    records[benchmark.id] = taskRecords;
    for (const [role, requirement] of Object.entries(roles)) {
      const choice = chooseJudge([
        configuration.judges.file,
        levels?.task ?? {},
        levels?.roles[role] ?? {},
        configuration.judges.flags,
      ]);
      const { plugin, provider } = await context.loadBackendProvider(choice.backend);
      const judge = judgeOptions(choice, requirement, {
        task: benchmark.id,
        role,
        backendId: provider.id,
        env: context.env,
      });
      const options = parsePluginOptions(
        provider.optionsSchema,
        judge.input,
        `${describeSource(choice.args?.source ?? { name: '--judge_args', inConfig: false })} for judge backend ` +
          `${provider.id} (${plugin.packageName}) of task ${benchmark.id}, role "${role}"`,
      );
      const identity = JSON.stringify([plugin.directory, options]);
      let backend = created.get(identity);
      if (backend === undefined) {
        backend = provider.createBackend(options, { env: judge.env, log: context.log });
        created.set(identity, backend);
        context.answerOptions.set(backend, answerOptionsOf(provider, options));
      }
      taskJudges[role] = backend;
      taskRecords[role] = { backend: provider.id, model: backend.modelId, args: redactSecrets(judge.input) };
      if (judge.keySource !== undefined) keySources.add(judge.keySource);
    }
  }
  return { judges, records, keySources: [...keySources] };
}

/**
 * The options a judge backend gets: its args, with the model of `--annotator_model` (or the role's reference
 * judge for `auto`) unless the args name one; for openai, the judge's own key and URL fallbacks.
 */
function judgeOptions(
  choice: JudgeLevel & { backend: string },
  requirement: JudgeRoleV1,
  judge: { task: string; role: string; backendId: string; env: Record<string, string | undefined> },
): { input: Record<string, string>; env: Record<string, string | undefined>; keySource?: string } {
  const args = choice.args;
  const input = { ...args?.values };
  const named = choice.model?.value.toLowerCase() === 'auto' ? undefined : choice.model;
  const subject = `The judge of task ${judge.task}, role "${judge.role}"`;
  if (named !== undefined && input.model !== undefined && input.model !== named.value) {
    throw new ConfigurationError(
      `${subject} is given two models: "${named.value}" by ${named.source} and "${input.model}" by ` +
        `${describeSource(args!.source)} (model). Name it once: a model file (a GGUF) in the judge args, with ` +
        '--annotator_model left at auto, or a served model with --annotator_model alone.',
    );
  }
  input.model ??= named?.value ?? requirement.defaultModel;
  const keySource = args?.values.api_key !== undefined ? describeKey(args.source, 'api_key') : undefined;
  if (judge.backendId !== 'openai') return { input, env: judge.env, ...(keySource ? { keySource } : {}) };

  // The openai judge's own fallbacks; the backend gets no environment, so that it cannot fall back on the
  // model's OPENAI_* settings in another order. OPENAI_BASE_URL is honoured as Evalchemy's judge client (the
  // openai SDK) reads it; empty is unset.
  const { env } = judge;
  input.base_url ||= env.EVALCHEMY_JUDGE_BASE_URL || env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL;
  const envKey = ['EVALCHEMY_JUDGE_API_KEY', 'OPENAI_API_KEY'].find((name) => env[name] !== undefined);
  if (input.api_key === undefined && envKey !== undefined) input.api_key = env[envKey]!;
  if (input.api_key === undefined && input.base_url === DEFAULT_OPENAI_BASE_URL) {
    throw new ConfigurationError(
      `${subject} (${input.model} at ${input.base_url}) needs an API key: set EVALCHEMY_JUDGE_API_KEY or ` +
        'OPENAI_API_KEY, or point EVALCHEMY_JUDGE_BASE_URL (or OPENAI_BASE_URL, or --judge_args base_url=...) at ' +
        'an OpenAI-compatible server of your own, or choose another --judge_backend. Nothing was generated.',
    );
  }
  return { input, env: {}, ...((keySource ?? envKey) ? { keySource: keySource ?? envKey } : {}) };
}

/** The config file's per-task judge levels, by the id of the selected task each names. */
function judgeLevelsByTask(
  configuration: RunConfiguration,
  taskPlugins: Map<string, DiscoveredPlugin>,
  log: LoggerV1,
): Map<string, RunConfiguration['judges']['tasks'][string] & { key: string }> {
  const byTask = new Map<string, RunConfiguration['judges']['tasks'][string] & { key: string }>();
  for (const [key, levels] of Object.entries(configuration.judges.tasks)) {
    const task = [...taskPlugins].find(([, plugin]) => pluginAnswersTo(plugin, 'benchmark', key))?.[0];
    if (task === undefined) {
      log.warn(`judges.${key} in --config names no task of this run; its judge settings are not used.`);
      continue;
    }
    const earlier = byTask.get(task);
    if (earlier !== undefined) {
      throw new ConfigurationError(
        `judges.${earlier.key} and judges.${key} in --config both name task ${task}; keep one of them.`,
      );
    }
    byTask.set(task, { ...levels, key });
  }
  return byTask;
}

/**
 * `--num_fewshot N` sets the `num_fewshot` option of every task that has one, over the config file's (flags
 * win); a task without it is named in a warning, as lm-evaluation-harness warns for each task it overrides.
 */
function withNumFewshot(
  benchmark: { id: string; optionsSchema: unknown },
  options: Record<string, unknown>,
  numFewshot: number | undefined,
  log: LoggerV1,
): { options: Record<string, unknown>; fromFlag: boolean } {
  if (numFewshot === undefined) return { options, fromFlag: false };
  const shape = (benchmark.optionsSchema as { shape?: Record<string, unknown> }).shape;
  if (shape === undefined || !('num_fewshot' in shape)) {
    log.warn(
      `--num_fewshot ${numFewshot} does not apply to task ${benchmark.id}: it has no num_fewshot option (its prompt has no few-shot exemplars to set).`,
    );
    return { options, fromFlag: false };
  }
  if (options.num_fewshot !== undefined && options.num_fewshot !== numFewshot) {
    log.warn(
      `Overwriting num_fewshot of task ${benchmark.id} in --config (${String(options.num_fewshot)}) with --num_fewshot ${numFewshot}.`,
    );
  }
  return { options: { ...options, num_fewshot: numFewshot }, fromFlag: true };
}

/** `--judge_args`, or `judges.mtbench.args in --config`. */
function describeSource(source: ArgsSource): string {
  return source.inConfig ? `${source.name} in --config` : source.name;
}

/** `--model_args api_key`, or `model_args.api_key in --config`: where a key came from, never the key. */
function describeKey(source: ArgsSource, key: string): string {
  return source.inConfig ? `${source.name}.${key} in --config` : `${source.name} ${key}`;
}

/** Where the model's API key comes from, named when its server refuses it (never the key itself). */
function modelKeySource(
  backend: string,
  args: PluginArgs,
  env: Record<string, string | undefined>,
): string | undefined {
  if (args.values.api_key !== undefined) return describeKey(args.source, 'api_key');
  return keyVariables[backend]?.find((name) => env[name] !== undefined && env[name] !== '');
}

/** The environment variables each API backend reads its key from, in its order. */
const keyVariables: Readonly<Record<string, readonly string[]>> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
};

/** A judge named on the command line for a run that judges nothing is a mistake worth a line: say so. */
function warnUnusedJudgeFlags(configuration: RunConfiguration, judged: boolean, log: LoggerV1): void {
  if (judged) return;
  const { backend, args, model } = configuration.judges.flags;
  const named = [
    ...(backend !== undefined ? ['--judge_backend'] : []),
    ...(args !== undefined ? ['--judge_args'] : []),
    ...(model !== undefined && model.value.toLowerCase() !== 'auto' ? ['--annotator_model'] : []),
  ];
  if (named.length === 0) return;
  const why = configuration.predictOnly
    ? '--predict_only skips scoring'
    : `no selected task (${configuration.tasks.map((task) => task.name).join(', ')}) is scored by an LLM judge`;
  log.warn(`${named.join(', ')} ${named.length > 1 ? 'are' : 'is'} unused: ${why}.`);
}

/**
 * `loadPlugin`, warning first (once per package) when the plugin's `@evalchemy/core` peer range leaves out the
 * installed core: before its code runs, so the warning is there when loading it fails.
 */
function pluginLoader(log: LoggerV1): typeof loadPlugin {
  const checked = new Set<string>();
  return (plugin, kind) => {
    if (!checked.has(plugin.packageName)) {
      checked.add(plugin.packageName);
      for (const warning of corePeerRangeWarnings([plugin])) log.warn(warning);
    }
    return loadPlugin(plugin, kind);
  };
}

async function createSandbox(
  plugins: DiscoveredPlugin[],
  versions: Record<string, string>,
  configuration: RunConfiguration,
  log: LoggerV1,
  load: typeof loadPlugin,
): Promise<SandboxV1> {
  const choice = configuration.sandbox;
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
    const provider = await load(plugin, 'sandbox');
    const options = parsePluginOptions(provider.optionsSchema, {}, `sandbox ${id} (${plugin.packageName})`);
    const available = await provider.checkAvailable(options);
    if (available === true) {
      versions[plugin.packageName] = plugin.packageVersion;
      return provider.createSandbox(options, { log });
    }
    reasons.push(`${id}: ${available}`);
    if (id === 'process' && configuration.allowUnsafeCode) {
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
