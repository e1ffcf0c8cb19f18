import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cacheDirectory,
  createDatasetResolver,
  datasetResolverSettingsFromEnv,
  ResponseCache,
  type RunOutcome,
  type RunSettings,
  runEvaluation,
} from '@evalchemy/runner';
import { parseRunFlags, runHelp } from './arguments.js';
import { type ConfigFile, loadConfigFile } from './config-file.js';
import { exitCodes, firstExitCode } from './exit-codes.js';
import { installedVersion, ownVersion } from './installed-version.js';
import { printable } from './leaderboard-tables.js';
import {
  describeLocation,
  leaderboardLocation,
  leaderboardModule,
  openCliLeaderboard,
  pushLaterCommand,
  pushModelOptions,
  safeMessage,
} from './open-cli-leaderboard.js';
import { checkIncludePath } from './plugin-discovery.js';
import { createProgressReporter } from './progress.js';
import { redactSecrets } from './redact-secrets.js';
import { formatCost, formatJudgeAudit, formatResultsTable } from './results-table.js';
import { buildRunConfiguration, type RunConfiguration, unusedLeaderboardFlags } from './run-configuration.js';
import { loadRunPlugins, type RunPlugins } from './run-plugins.js';
import { runIdOf } from './shard-flags.js';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  signal: AbortSignal;
}

/**
 * `evalchemy run`: flags and config file → one validated run configuration → plugins → run. Returns the exit
 * code (`exit-codes.ts`).
 */
export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    io.stdout.write(`${runHelp}\n`);
    return 0;
  }
  const file = flags.config ? await loadConfigFile(flags.config, io.cwd) : undefined;
  const config: ConfigFile = file?.config ?? {};
  const configuration = buildRunConfiguration(flags, config, io.cwd);
  for (const directory of configuration.includePaths) checkIncludePath(directory);
  const reporter = createProgressReporter(io.stderr, { verbosity: configuration.verbosity });
  for (const warning of configuration.warnings) reporter.log.warn(warning);
  for (const warning of file?.warnings ?? []) reporter.log.warn(warning);
  // The notes say how the file's batch sizes became the run's concurrency, which a flag replaces.
  if (flags.concurrency === undefined && flags['batch-size'] === undefined)
    for (const note of file?.notes ?? []) reporter.log.info(note);
  const unused = unusedLeaderboardFlags(flags, config);
  if (unused.length > 0)
    reporter.log.warn(
      `${unused.join(', ')} ${unused.length === 1 ? 'applies' : 'apply'} only with --use_database, which was not given: the run is not added to the leaderboard.`,
    );
  if (configuration.debug && configuration.leaderboard !== undefined) {
    reporter.log.warn(
      '--debug with --use_database: a debug run is not added to the leaderboard (as Evalchemy); its results files are written as usual.',
    );
  }
  const loaded = await loadRunPlugins(configuration, { cwd: io.cwd, env: io.env, log: reporter.log });
  const plugins = await withoutTasksDone(configuration, loaded, io, reporter.log);
  if (plugins === undefined) return exitCodes.done;
  const outcome = await runEvaluation(createRunSettings(configuration, plugins, io, reporter));
  io.stdout.write(`\n${formatResultsTable(outcome.tasks, { showAll: configuration.showAllMetrics })}\n`);
  const judges = formatJudgeAudit(outcome.judgeAudit);
  if (judges !== '') io.stdout.write(`${judges}\n`);
  const cost = formatCost(outcome);
  if (cost !== '') io.stdout.write(`${cost}\n`);
  if (configuration.showConfig) await showConfig(outcome.resultsPath, io);
  const code = reportProblems(outcome, io.stderr);
  if (configuration.leaderboard === undefined || configuration.debug) return code;
  // The run's own exit code comes first: a push that fails never hides what went wrong in the run.
  return firstExitCode([code, await pushToLeaderboard(outcome.resultsPath, configuration.leaderboard, io)]);
}

/**
 * Evalchemy's `--model_id` without `--overwrite-database`: the tasks the leaderboard already has results of for
 * that model are not run again (Evalchemy's `check_if_already_done`). Undefined when none is left to run.
 */
async function withoutTasksDone(
  configuration: RunConfiguration,
  plugins: RunPlugins,
  io: CommandIo,
  log: ReturnType<typeof createProgressReporter>['log'],
): Promise<RunPlugins | undefined> {
  const settings = configuration.leaderboard;
  const modelId = settings?.modelFlags['model-id'];
  if (settings === undefined || modelId === undefined || settings.overwrite) return plugins;
  const leaderboard = await openCliLeaderboard({ databaseUrl: settings.databaseUrl, io });
  let done: Set<string>;
  try {
    done = new Set((await leaderboard.runs({ modelId })).flatMap((run) => run.tasks));
  } finally {
    await leaderboard.close();
  }
  const skipped = plugins.tasks
    .filter((task) => done.has(task.benchmark.id))
    .map((task) => task.benchmark.id);
  if (skipped.length === 0) return plugins;
  if (skipped.length === plugins.tasks.length) {
    io.stdout.write(
      `All tasks (${skipped.join(', ')}) were found in the leaderboard for model ${modelId}: nothing to run (--overwrite-database runs them again).\n`,
    );
    return undefined;
  }
  log.info(
    `Already in the leaderboard for model ${modelId}, not run again: ${skipped.join(', ')} (--overwrite-database runs them again).`,
  );
  const keep = <Value>(record: Record<string, Value>) =>
    Object.fromEntries(Object.entries(record).filter(([task]) => !done.has(task)));
  const tasks = plugins.tasks.filter((task) => !done.has(task.benchmark.id));
  return {
    ...plugins,
    tasks,
    taskOptions: keep(plugins.taskOptions),
    judges: keep(plugins.judges),
    judgeRecords: keep(plugins.judgeRecords),
    sandbox: tasks.some((task) => task.benchmark.requirements.sandbox) ? plugins.sandbox : undefined,
  };
}

/** `--show_config`: the results file's `config`, the run's effective configuration, as JSON on stdout. */
async function showConfig(resultsPath: string, io: CommandIo): Promise<void> {
  const results = JSON.parse(await readFile(resultsPath, 'utf8')) as { config?: unknown };
  io.stdout.write(`Configuration:\n${JSON.stringify(results.config ?? {}, null, 2)}\n`);
}

/**
 * `--use_database`: adds the run's results and samples files to the leaderboard and says so in one line. A
 * push that fails keeps the files, says how to push them later and returns the storage exit code.
 */
async function pushToLeaderboard(
  resultsPath: string,
  settings: NonNullable<RunConfiguration['leaderboard']>,
  io: CommandIo,
): Promise<number> {
  let where = 'the leaderboard';
  try {
    const { readRunFiles } = await leaderboardModule();
    where = describeLocation(await leaderboardLocation(settings.databaseUrl, io));
    const input = await readRunFiles(resultsPath);
    const leaderboard = await openCliLeaderboard({ databaseUrl: settings.databaseUrl, io });
    try {
      const pushed = await leaderboard.push({ ...input, model: pushModelOptions(settings.modelFlags) });
      io.stdout.write(
        `Leaderboard: run ${pushed.runId} ${pushed.added ? 'added' : 'already there'} as model "${printable(pushed.modelName)}" (${where})\n`,
      );
    } finally {
      await leaderboard.close();
    }
    return exitCodes.done;
  } catch (error) {
    io.stderr.write(
      `error: the run could not be added to the leaderboard (${where}): ${safeMessage(error)}\n` +
        `The results files are kept (${resultsPath}); once that is fixed, add them with:\n` +
        `  ${pushLaterCommand(resultsPath, { ...settings.modelFlags, 'database-url': settings.databaseUrl })}\n`,
    );
    return exitCodes.storage;
  }
}

/**
 * What the runner is given: the configuration's settings and the plugins made from it. A new run setting
 * comes from the configuration (what the user asked for) or from the plugins (what was made of it).
 */
export function createRunSettings(
  configuration: RunConfiguration,
  plugins: RunPlugins,
  io: CommandIo,
  reporter: ReturnType<typeof createProgressReporter>,
): RunSettings {
  const { log } = reporter;
  const judged = Object.keys(plugins.judges).length > 0;
  const runId = runIdOf(configuration.runName, configuration.shard, () => ({
    model: plugins.backend.id,
    model_id: plugins.backend.modelId,
    model_args: plugins.answerOptions.get(plugins.backend) ?? {},
    tasks: plugins.taskOptions,
    limit: configuration.limit ?? null,
    debug: configuration.debug,
    seed: configuration.seed,
    max_tokens: configuration.maxTokens ?? null,
    generation: configuration.generation ?? null,
    system_instruction: configuration.systemInstruction ?? null,
    predict_only: configuration.predictOnly,
    judges: plugins.judgeRecords,
  }));
  return {
    backend: plugins.backend,
    tasks: plugins.tasks,
    datasets: createDatasetResolver({ ...datasetResolverSettingsFromEnv(io.env), log }),
    outputPath: configuration.outputPath,
    resultsFile: configuration.resultsFile,
    cache: new ResponseCache({
      directory: join(cacheDirectory(io.env), 'responses'),
      enabled: !configuration.noCache,
      log,
    }),
    concurrency: configuration.concurrency,
    seed: configuration.seed,
    limit: configuration.limit,
    debug: configuration.debug,
    generation: configuration.generation,
    maxTokens: configuration.maxTokens,
    systemInstruction: configuration.systemInstruction,
    predictOnly: configuration.predictOnly,
    judges: plugins.judges,
    judgePrices: configuration.judgePrices,
    maxCostUsd: configuration.maxCostUsd,
    ...(configuration.shard !== undefined ? { shard: configuration.shard } : {}),
    ...(runId !== undefined ? { runId } : {}),
    // What of each backend's options enters each task's identity in the results file.
    answerOptions: plugins.answerOptions,
    sandbox: plugins.sandbox,
    keySources: plugins.keySources,
    effectiveConfig: {
      model: plugins.backend.id,
      model_args: redactSecrets(configuration.model.args.values),
      tasks: plugins.taskOptions,
      limit: configuration.limit ?? null,
      debug: configuration.debug,
      seed: configuration.seed,
      ...(configuration.seeds !== undefined
        ? {
            random_seed: configuration.seeds[0],
            numpy_seed: configuration.seeds[1],
            torch_seed: configuration.seeds[2],
            fewshot_seed: configuration.seeds[3],
          }
        : {}),
      max_tokens: configuration.maxTokens ?? null,
      num_fewshot: configuration.numFewshot ?? null,
      gen_kwargs: configuration.genKwargs ?? null,
      apply_chat_template: configuration.chatTemplate.applyChatTemplate,
      fewshot_as_multiturn: configuration.chatTemplate.fewshotAsMultiturn,
      concurrency: configuration.concurrency,
      system_instruction: configuration.systemInstruction ?? null,
      annotator_model: judged ? configuration.annotatorModel : null,
      judges: plugins.judgeRecords,
      judge_prices: configuration.judgePrices ?? null,
      max_cost: configuration.maxCostUsd ?? null,
      predict_only: configuration.predictOnly,
      no_cache: configuration.noCache,
      sandbox: plugins.sandbox ? plugins.sandbox.id : null,
      output_path: configuration.outputPath,
      ...(configuration.shard !== undefined ? { shard: configuration.shard } : {}),
      ...(configuration.runName !== undefined ? { run_id: configuration.runName } : {}),
    },
    versions: {
      '@evalchemy/cli': ownVersion(),
      '@evalchemy/core': installedVersion('@evalchemy/core'),
      '@evalchemy/runner': installedVersion('@evalchemy/runner'),
      ...plugins.versions,
    },
    log,
    onEvent: reporter.onEvent,
    signal: io.signal,
    workingDirectory: io.cwd,
  };
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
  if (outcome.budget?.reached) {
    stderr.write(
      `warning: the budget --max_cost ${outcome.budget.max_cost_usd} USD was reached: ${outcome.budget.requests_not_sent} ` +
        `requests that could have exceeded it were not sent (spent ${outcome.budget.spent_usd.toFixed(4)} USD). ` +
        `The results (${outcome.resultsPath}) cover what was done; the same command with a larger --max_cost ` +
        'finishes the run, with the answers so far from the cache.\n',
    );
  }
  if (!outcome.complete) return exitCodes.taskFailed;
  if (outcome.budget?.reached) return exitCodes.budgetReached;
  if (failedTasks.length > 0) return exitCodes.samplesFailed;
  if (outcome.cacheError) return exitCodes.storage;
  return exitCodes.done;
}
