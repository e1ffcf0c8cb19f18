import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError, type LoggerV1 } from '@evalchemy/core';
import {
  checkShardedRun,
  createDatasetResolver,
  datasetResolverSettingsFromEnv,
  findShardResults,
  groupShardRuns,
  type MergeTaskPlugin,
  mergeShardedRun,
  runIdFromName,
  sanitizeModelName,
} from '@evalchemy/runner';
import { normaliseFlags } from './arguments.js';
import { exitCodes } from './exit-codes.js';
import { discoverPlugins, findPlugin, includePathsOf, loadPlugin } from './plugin-discovery.js';
import { formatResultsTable } from './results-table.js';
import type { CommandIo } from './run-command.js';

export const mergeHelp = `Usage: evalchemy merge DIR... [--output_path DIR|FILE.json] [--run_id ID]

Combines the shards of one sharded run (evalchemy run --shard I/N) into the results and samples files a single
process would have written: every task's metrics computed over all its samples (corpus metrics included),
n-samples, usage and costs summed. A sample whose generations the shards split (AIME's 10 repeats) is scored
here, with its generations from every shard: merge where the task's plugin and datasets are installed. Shard results files (results_<time>_shard-I-of-N.json) are searched for in
the DIRs and the folders below them; the samples files must be beside them.

  --output_path DIR|FILE.json   where the merged files go: DIR/<model>/, or exactly FILE.json (default: the
                                folder of shard 0's results)
  --run_id ID                   which run, when the DIRs hold shards of several (as given to run --run_id, or
                                the run_id UUID of the results files)
  --include_path DIR            a folder of more plugin packages, searched too (as the shards' run was given)
  --show_all_metrics            every metric in the results table
  -h, --help                    this help

Refused (exit 2): a missing shard, or shards whose tasks, versions or task identities differ.`;

/** `evalchemy merge`: the shards of one run into one results file. Returns the exit code. */
export async function mergeCommand(argv: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseMergeFlags>;
  try {
    parsed = parseMergeFlags(argv);
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}. Run "evalchemy merge --help" for the flags.`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${mergeHelp}\n`);
    return exitCodes.done;
  }
  if (positionals.length === 0) {
    throw new ConfigurationError(
      "evalchemy merge needs the folders that hold the shards' results (evalchemy merge DIR...): the --output_path the shards ran with.",
    );
  }
  const log: LoggerV1 = {
    info: (message) => io.stderr.write(`${message}\n`),
    warn: (message) => io.stderr.write(`warning: ${message}\n`),
    debug: () => {},
  };
  const directories = positionals.map((directory) => resolve(io.cwd, directory));
  const files = await findShardResults(directories);
  let runs = groupShardRuns(files);
  if (runs.length === 0) {
    throw new ConfigurationError(
      `No shard results files (results_<time>_shard-<I>-of-<N>.json) in ${directories.join(', ')} or the folders below: give the --output_path the shards ran with.`,
    );
  }
  const wanted = values['run-id'];
  if (wanted !== undefined) {
    const runId = runIdFromName(wanted);
    runs = runs.filter((run) => run.runId === runId);
    if (runs.length === 0) {
      throw new ConfigurationError(
        `No shards of run ${wanted} in ${directories.join(', ')}: the runs there are ${describeRuns(groupShardRuns(files))}.`,
      );
    }
  }
  if (runs.length > 1) {
    throw new ConfigurationError(
      `${directories.join(', ')} hold the shards of ${runs.length} runs (${describeRuns(runs)}): choose one with --run_id.`,
    );
  }
  const run = runs[0]!;
  checkShardedRun(run, directories);
  log.info(`Merging run ${run.runId}: ${run.count} shards`);

  const output = values['output-path'] !== undefined ? resolve(io.cwd, values['output-path']) : undefined;
  const resultsFile = output !== undefined && /\.json$/i.test(output) ? output : undefined;
  const modelDirectory = sanitizeModelName(run.files[0]!.results.model.model_id);
  const plugins = discoverPlugins(io.cwd, { includePaths: includePathsOf(values['include-path'], io.cwd) });
  const datasets = createDatasetResolver({ ...datasetResolverSettingsFromEnv(io.env), log });
  const outcome = await mergeShardedRun(run, {
    ...(resultsFile !== undefined ? { resultsFile } : {}),
    ...(output !== undefined && resultsFile === undefined
      ? { directory: resolve(output, modelDirectory) }
      : {}),
    onProgress: (message) => log.info(message),
    loadTask: async (task, record, results): Promise<MergeTaskPlugin> => {
      const plugin = findPlugin(await plugins, 'benchmark', task);
      const benchmark = await loadPlugin(plugin, 'benchmark');
      if (benchmark.version !== record.version) {
        throw new ConfigurationError(
          `Task ${task}: the shards ran version ${record.version} of its benchmark, but ${plugin.packageName} ${plugin.packageVersion} installed here is version ${benchmark.version}. Merge where the shards' version is installed.`,
        );
      }
      const load = () =>
        benchmark.doLoad({ options: record.options, datasets, seed: results.seeds.seed, log });
      return { benchmark, load };
    },
    log,
  });
  io.stdout.write(
    `\n${formatResultsTable(outcome.tasks, { showAll: values['show-all-metrics'] ?? false })}\n`,
  );
  io.stdout.write(`Merged results: ${outcome.resultsPath}\n`);
  const failed = outcome.tasks.filter((task) => task.status === 'failed');
  if (failed.length > 0) {
    io.stderr.write(
      `error: ${failed.map((task) => `${task.task} (${task.error})`).join('; ')} failed in a shard: run that shard again (completed responses come from the cache), then merge again.\n`,
    );
    return exitCodes.taskFailed;
  }
  if (outcome.tasks.some((task) => task.samples.failed > 0)) return exitCodes.samplesFailed;
  return exitCodes.done;
}

/** `evalchemy merge`'s flags and folders (throws on an unknown flag). */
export function parseMergeFlags(argv: string[]) {
  return parseArgs({
    args: normaliseFlags(argv),
    options: {
      'output-path': { type: 'string', short: 'o' },
      'run-id': { type: 'string' },
      'include-path': { type: 'string' },
      'show-all-metrics': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}

function describeRuns(runs: readonly { runId: string; count: number; files: { path: string }[] }[]): string {
  return runs.map((run) => `${run.runId} (${run.files.length} of ${run.count} shards)`).join(', ');
}
