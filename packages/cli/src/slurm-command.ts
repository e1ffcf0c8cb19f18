import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';
import { normaliseFlags, parseInteger, parseRunFlags } from './arguments.js';
import type { CommandIo } from './run-command.js';
import {
  arrayRange,
  arrayScript,
  checkShardCommand,
  jobFiles,
  mergeScript,
  type SlurmScriptSettings,
  shellQuote,
  splitShellWords,
} from './slurm-scripts.js';

export const slurmExitCodes = { complete: 0, failed: 1, badInput: 2, notYet: 8 } as const;

export const slurmHelp = `Usage:
  evalchemy slurm submit --shards N [options] -- run --model … --tasks …
  evalchemy slurm status [--job_dir DIR] [--retries R]

submit writes into a job directory an array job (#SBATCH --array=0-(N-1)) whose task I runs the command after
"--" as shard I of N (adding --shard I/N, one --run_id for the submission and --output_path DIR/results), and
a merge job (evalchemy merge DIR/results) that starts once every shard succeeded (--dependency=afterok); it
submits both with sbatch and prints their ids. Run it where sbatch works (a login node), from a directory the
compute nodes share: the jobs run there, with the environment of the submission (--export=ALL), so export API
keys (OPENAI_API_KEY, …) before submitting; an api_key= in --model_args is refused, as the scripts are files.

  --shards N            shards of the run (array tasks), N ≥ 1
  --gpus_per_shard G    GPUs per array task (--gres=gpu:G; default 0). With a local model (--model vllm) each
                        shard starts its own vLLM on the GPUs Slurm gives its task (CUDA_VISIBLE_DEVICES)
  --partition P         Slurm partition of both jobs (default: the cluster's default partition)
  --time T              time limit of each job (Slurm's formats: MM, HH:MM:SS, D-HH)
  --sbatch_args '…'     more sbatch options for both jobs, e.g. '--account=lab --qos=high --mem=64G'
  --retries R           how often "slurm status" resubmits a failed shard (default 2)
  --job_dir DIR         the job directory (default ./evalchemy-slurm/<run id>): scripts, logs/, results/
  --evalchemy CMD       how the jobs start evalchemy (default: this Node.js and this CLI, by absolute
                        path), e.g. 'npx @evalchemy/cli' when the compute nodes have another installation
  --dry_run             print the two scripts and the sbatch commands; submit nothing, write nothing

status prints each shard's state (pending, running, completed, failed) from squeue while Slurm remembers the
job, else from the shard's results file, and the merge job's. Failed shards are resubmitted (sbatch
--array=<their indices> of the same script; their files are moved to DIR/failed-attempts/) up to the retry
limit, and the merge job then waits for the new tasks (scontrol update … Dependency=afterok:…).

  --job_dir DIR         the job directory (default: the newest under ./evalchemy-slurm)
  --retries R           a new retry limit for this and later status commands

Exit codes of status: 0 the run is complete (merged results written); 1 a shard failed with no retries left,
or the merge job failed (see its log in DIR/logs); 2 bad input; 8 not complete yet (pending, running, or
just resubmitted): run status again later.`;

const stateSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  shards: z.number().int().min(1),
  retries: z.number().int().min(0),
  submittedAt: z.string(),
  workingDirectory: z.string(),
  arrayJobId: z.string(),
  mergeJobId: z.string(),
  /** Per shard, the array task that runs it now (`<array job id>_<index>`). */
  shardJobs: z.array(z.string()),
  /** Per shard, how often it was submitted (1 + retries used). */
  attempts: z.array(z.number().int().min(1)),
  resubmissions: z.array(
    z.object({ at: z.string(), arrayJobId: z.string(), shards: z.array(z.number().int()) }),
  ),
});
type SlurmJobState = z.infer<typeof stateSchema>;

type Tool = 'sbatch' | 'squeue' | 'scontrol' | 'scancel';

interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm client command; a missing command is a message saying where they are. */
function slurmTool(tool: Tool, args: string[], io: CommandIo, cwd = io.cwd): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tool, args, { cwd, env: io.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new ConfigurationError(
              `${tool} was not found on the PATH: run evalchemy slurm on a login node of the Slurm cluster (where ` +
                "sbatch, squeue and scontrol are), or install Slurm's client commands (Debian: slurm-client; a " +
                'single-node Slurm for trying it: tools/services-slurm.sh in the evalchemy repository).',
              { cause: error },
            )
          : error,
      );
    });
    child.on('close', (code) => resolvePromise({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/** `sbatch --parsable …`: the job id, or the error sbatch gave. */
async function sbatch(args: string[], what: string, io: CommandIo, cwd: string): Promise<string> {
  const result = await slurmTool('sbatch', ['--parsable', ...args], io, cwd);
  const jobId = result.stdout.trim().split(';')[0] ?? '';
  if (result.exitCode !== 0 || !/^\d+$/.test(jobId)) {
    throw new ConfigurationError(
      `sbatch refused ${what} (exit code ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim() || 'no message'}. ` +
        'Check --partition, --time, --gpus_per_shard and --sbatch_args against the cluster (sinfo lists its partitions).',
    );
  }
  return jobId;
}

/** The `evalchemy` that jobs run by default: this Node.js and this CLI's bin, by absolute path. */
function thisEvalchemy(): string {
  return [process.execPath, fileURLToPath(new URL('./bin.js', import.meta.url))].map(shellQuote).join(' ');
}

export interface SlurmSubmitArguments {
  settings: Omit<SlurmScriptSettings, 'runId' | 'jobDirectory' | 'workingDirectory' | 'evalchemy'>;
  retries: number;
  jobDirectory: string | undefined;
  evalchemy: string | undefined;
  dryRun: boolean;
  help: boolean;
}

/** `--sbatch_args '--qos=high'`: the value of these flags starts with a dash, which parseArgs takes for a flag. */
function joinDashedValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    const next = args[index + 1];
    if ((argument === '--sbatch-args' || argument === '--evalchemy') && next !== undefined) {
      joined.push(`${argument}=${next}`);
      index++;
    } else joined.push(argument);
  }
  return joined;
}

/** The flags of `evalchemy slurm submit` and the command after `--`, checked. */
export function parseSlurmSubmitArguments(argv: readonly string[]): SlurmSubmitArguments {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const command = separator === -1 ? [] : argv.slice(separator + 1);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: joinDashedValues(normaliseFlags([...own])),
      options: {
        shards: { type: 'string' },
        'gpus-per-shard': { type: 'string' },
        partition: { type: 'string' },
        time: { type: 'string' },
        'sbatch-args': { type: 'string' },
        retries: { type: 'string' },
        'job-dir': { type: 'string' },
        evalchemy: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new ConfigurationError(
      `${(error as Error).message}. Run "evalchemy slurm --help" for the flags; the shards' command goes after "--".`,
    );
  }
  const help = values.help === true;
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const shards = parseInteger(text('shards'), '--shards', 1);
  if (!help && shards === undefined) {
    throw new ConfigurationError(
      'evalchemy slurm submit needs --shards N (the number of array tasks, N ≥ 1).',
    );
  }
  if (!help) {
    checkShardCommand(command, 'slurm');
    try {
      parseRunFlags(command.slice(1));
    } catch (error) {
      throw new ConfigurationError(`the command after "--": ${(error as Error).message}`);
    }
  }
  for (const name of ['partition', 'time'] as const) {
    const value = text(name);
    if (value !== undefined && !/^[A-Za-z0-9_.:,+-]+$/.test(value)) {
      throw new ConfigurationError(`--${name} "${value}" is not a Slurm ${name}.`);
    }
  }
  return {
    settings: {
      shards: shards ?? 1,
      gpusPerShard: parseInteger(text('gpus-per-shard'), '--gpus_per_shard', 0) ?? 0,
      partition: text('partition'),
      time: text('time'),
      sbatchArgs: splitShellWords(text('sbatch-args') ?? '', '--sbatch_args'),
      command,
    },
    retries: parseInteger(text('retries'), '--retries', 0) ?? 2,
    jobDirectory: text('job-dir'),
    evalchemy: text('evalchemy'),
    dryRun: values['dry-run'] === true,
    help,
  };
}

/** `evalchemy slurm submit|status`. */
export async function slurmCommand(argv: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'submit') return submit(rest, io);
  if (action === 'status') return status(rest, io);
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    io.stdout.write(`${slurmHelp}\n`);
    return action === undefined ? slurmExitCodes.badInput : 0;
  }
  throw new ConfigurationError(
    `"evalchemy slurm ${action}" is not a command: use slurm submit or slurm status.`,
  );
}

async function submit(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseSlurmSubmitArguments(argv);
  if (parsed.help) {
    io.stdout.write(`${slurmHelp}\n`);
    return 0;
  }
  const runId = randomUUID();
  const jobDirectory = resolve(io.cwd, parsed.jobDirectory ?? join('evalchemy-slurm', runId));
  const settings: SlurmScriptSettings = {
    ...parsed.settings,
    runId,
    jobDirectory,
    workingDirectory: io.cwd,
    evalchemy: parsed.evalchemy ?? thisEvalchemy(),
  };
  const scripts = { array: arrayScript(settings), merge: mergeScript(settings) };
  const arrayPath = join(jobDirectory, jobFiles.arrayScript);
  const mergePath = join(jobDirectory, jobFiles.mergeScript);
  if (parsed.dryRun) {
    io.stdout.write(
      `# ${arrayPath}\n${scripts.array}\n# ${mergePath}\n${scripts.merge}\n` +
        `# would run:\nsbatch --parsable ${shellQuote(arrayPath)}\n` +
        `sbatch --parsable --dependency=afterok:<array job id> ${shellQuote(mergePath)}\n`,
    );
    return 0;
  }
  if (existsSync(join(jobDirectory, jobFiles.state))) {
    throw new ConfigurationError(
      `${jobDirectory} already holds a submitted run (${jobFiles.state}): give another --job_dir, or follow that ` +
        `one with evalchemy slurm status --job_dir ${shellQuote(jobDirectory)}.`,
    );
  }
  await mkdir(join(jobDirectory, jobFiles.logs), { recursive: true });
  await mkdir(join(jobDirectory, jobFiles.results), { recursive: true });
  await writeFile(arrayPath, scripts.array, { mode: 0o755 });
  await writeFile(mergePath, scripts.merge, { mode: 0o755 });
  await chmod(arrayPath, 0o755);
  await chmod(mergePath, 0o755);

  const arrayJobId = await sbatch([arrayPath], `the shards' array job (${arrayPath})`, io, io.cwd);
  let mergeJobId: string;
  try {
    mergeJobId = await sbatch(
      [`--dependency=afterok:${arrayJobId}`, mergePath],
      `the merge job (${mergePath})`,
      io,
      io.cwd,
    );
  } catch (error) {
    // Shards without their merge would run for nothing.
    await slurmTool('scancel', [arrayJobId], io);
    throw new ConfigurationError(
      `${(error as Error).message} The shards' array job ${arrayJobId} was cancelled.`,
    );
  }
  const state: SlurmJobState = {
    version: 1,
    runId,
    shards: settings.shards,
    retries: parsed.retries,
    submittedAt: new Date().toISOString(),
    workingDirectory: io.cwd,
    arrayJobId,
    mergeJobId,
    shardJobs: Array.from({ length: settings.shards }, (_, index) => `${arrayJobId}_${index}`),
    attempts: Array.from({ length: settings.shards }, () => 1),
    resubmissions: [],
  };
  await writeState(jobDirectory, state);
  io.stdout.write(
    `Submitted run ${runId}: the ${settings.shards} shards as array job ${arrayJobId} (tasks ` +
      `${arrayRange(state.shardJobs.map((_, index) => index))}), the merge as job ${mergeJobId} (after all ` +
      `succeed).\nJob directory: ${jobDirectory}\nFollow it with: evalchemy slurm status --job_dir ${shellQuote(jobDirectory)}\n`,
  );
  return 0;
}

async function writeState(jobDirectory: string, state: SlurmJobState): Promise<void> {
  const path = join(jobDirectory, jobFiles.state);
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

async function readState(jobDirectory: string): Promise<SlurmJobState> {
  const path = join(jobDirectory, jobFiles.state);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): --job_dir must be the job ` +
        'directory "evalchemy slurm submit" printed.',
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(`${path} is not a job state written by "evalchemy slurm submit".`);
  }
  return parsed.data;
}

/** The newest job directory under ./evalchemy-slurm (by its state file). */
async function newestJobDirectory(cwd: string): Promise<string> {
  const parent = join(cwd, 'evalchemy-slurm');
  const candidates: { directory: string; modified: number }[] = [];
  for (const name of existsSync(parent) ? await readdir(parent) : []) {
    const statePath = join(parent, name, jobFiles.state);
    if (existsSync(statePath))
      candidates.push({ directory: join(parent, name), modified: (await stat(statePath)).mtimeMs });
  }
  const newest = candidates.sort((a, b) => b.modified - a.modified)[0];
  if (newest === undefined) {
    throw new ConfigurationError(
      `no job directory under ${parent}: give --job_dir, the directory "evalchemy slurm submit" printed.`,
    );
  }
  return newest.directory;
}

type Phase = 'pending' | 'running' | 'completed' | 'failed';

/** Slurm's job states (squeue %T) as the four this command shows. */
function phaseOf(slurmState: string): Phase {
  if (slurmState === 'COMPLETED') return 'completed';
  if (['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'RESIZING'].includes(slurmState)) return 'running';
  if (
    [
      'PENDING',
      'CONFIGURING',
      'REQUEUED',
      'REQUEUE_HOLD',
      'REQUEUE_FED',
      'RESV_DEL_HOLD',
      'SUSPENDED',
      'STOPPED',
    ].includes(slurmState)
  )
    return 'pending';
  // FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE, SPECIAL_EXIT, …
  return 'failed';
}

interface JobInfo {
  state: string;
  reason: string;
}

/** squeue's view of the jobs (array tasks as `<id>_<index>`), including finished ones it still remembers. */
async function queryJobs(jobIds: readonly string[], io: CommandIo): Promise<Map<string, JobInfo>> {
  const jobs = new Map<string, JobInfo>();
  const result = await slurmTool(
    'squeue',
    [
      '--noheader',
      '--array',
      '--states=all',
      '--format=%i|%T|%r',
      `--jobs=${[...new Set(jobIds)].join(',')}`,
    ],
    io,
  );
  if (result.exitCode !== 0) {
    // squeue refuses a single job id it no longer knows; with several it leaves the unknown ones out.
    if (/invalid job id/i.test(result.stderr)) return jobs;
    throw new ConfigurationError(
      `squeue failed (exit code ${result.exitCode}): ${result.stderr.trim()}. Is the Slurm controller reachable (sinfo)?`,
    );
  }
  for (const line of result.stdout.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (id && state) jobs.set(id, { state, reason: reason ?? '' });
  }
  return jobs;
}

/** Results files under `results/`: per shard index of this run, and the merged one. */
async function resultsFiles(
  jobDirectory: string,
  state: SlurmJobState,
): Promise<{ shards: Map<number, string[]>; merged: string | undefined; all: string[] }> {
  const root = join(jobDirectory, jobFiles.results);
  const all = existsSync(root)
    ? (await readdir(root, { recursive: true })).map((name) => join(root, String(name)))
    : [];
  const shards = new Map<number, string[]>();
  let merged: string | undefined;
  for (const path of all.filter((file) => /\/results_[^/]*\.json$/.test(file))) {
    let runId: unknown;
    try {
      runId = (JSON.parse(await readFile(path, 'utf8')) as { run_id?: unknown }).run_id;
    } catch {
      continue;
    }
    if (runId !== state.runId) continue;
    const shard = /_shard-(\d+)-of-(\d+)\.json$/.exec(path);
    if (shard === null) merged = path;
    else if (Number(shard[2]) === state.shards) {
      shards.set(Number(shard[1]), [...(shards.get(Number(shard[1])) ?? []), path]);
    }
  }
  return { shards, merged, all };
}

/** The flags of `evalchemy slurm status`. */
export function parseSlurmStatusArguments(argv: readonly string[]): {
  'job-dir'?: string;
  retries?: string;
  help?: boolean;
} {
  try {
    return parseArgs({
      args: normaliseFlags([...argv]),
      options: {
        'job-dir': { type: 'string' },
        retries: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}. Run "evalchemy slurm --help" for the flags.`);
  }
}

async function status(argv: string[], io: CommandIo): Promise<number> {
  const values = parseSlurmStatusArguments(argv);
  if (values.help) {
    io.stdout.write(`${slurmHelp}\n`);
    return 0;
  }
  const jobDirectory =
    values['job-dir'] === undefined ? await newestJobDirectory(io.cwd) : resolve(io.cwd, values['job-dir']);
  const state = await readState(jobDirectory);
  const retries = parseInteger(values.retries, '--retries', 0);
  if (retries !== undefined) state.retries = retries;

  const jobs = await queryJobs([...state.shardJobs.map((job) => job.split('_')[0]!), state.mergeJobId], io);
  const files = await resultsFiles(jobDirectory, state);
  const shards = state.shardJobs.map((job, index) => {
    const info = jobs.get(job);
    const phase: Phase = info ? phaseOf(info.state) : files.shards.has(index) ? 'completed' : 'failed';
    const detail = info
      ? `${info.state}${info.reason && info.reason !== 'None' ? `, ${info.reason}` : ''}`
      : `Slurm no longer lists the job; ${files.shards.has(index) ? 'its results file is there' : 'it wrote no results file'}`;
    return { index, job, phase, detail, note: '' };
  });
  const attemptsAllowed = state.retries + 1;
  const retry = shards.filter(
    (shard) => shard.phase === 'failed' && state.attempts[shard.index]! < attemptsAllowed,
  );
  const exhausted = shards.filter(
    (shard) => shard.phase === 'failed' && state.attempts[shard.index]! >= attemptsAllowed,
  );
  const messages: string[] = [];

  if (retry.length > 0) {
    // A failed attempt's files are moved aside, so that the merge reads only the attempt that succeeded.
    for (const shard of retry) {
      const suffix = new RegExp(`_shard-${shard.index}-of-${state.shards}\\.jsonl?$`);
      for (const path of files.all.filter((file) => suffix.test(file))) {
        const target = join(
          jobDirectory,
          jobFiles.failedAttempts,
          shard.job,
          relative(join(jobDirectory, jobFiles.results), path),
        );
        await mkdir(dirname(target), { recursive: true });
        await rename(path, target);
      }
    }
    const indices = retry.map((shard) => shard.index);
    const arrayJobId = await sbatch(
      [`--array=${arrayRange(indices)}`, join(jobDirectory, jobFiles.arrayScript)],
      `the resubmission of shards ${indices.join(', ')}`,
      io,
      state.workingDirectory,
    );
    for (const shard of retry) {
      state.attempts[shard.index]! += 1;
      state.shardJobs[shard.index] = `${arrayJobId}_${shard.index}`;
      shard.note = ` → resubmitted as ${arrayJobId}_${shard.index} (attempt ${state.attempts[shard.index]} of ${attemptsAllowed})`;
    }
    state.resubmissions.push({ at: new Date().toISOString(), arrayJobId, shards: indices });
    messages.push(
      `Resubmitted shard${indices.length === 1 ? '' : 's'} ${indices.join(', ')} as array job ${arrayJobId} (--array=${arrayRange(indices)}).`,
    );
  }

  // The merge job: Slurm's view, else whether the merged results file is there.
  const mergeInfo = jobs.get(state.mergeJobId);
  let mergePhase: Phase | 'gone' = mergeInfo
    ? phaseOf(mergeInfo.state)
    : files.merged === undefined
      ? 'gone'
      : 'completed';
  let mergeDetail = mergeInfo
    ? `${mergeInfo.state}${mergeInfo.reason && mergeInfo.reason !== 'None' ? `, ${mergeInfo.reason}` : ''}`
    : files.merged === undefined
      ? 'Slurm no longer lists the job and there is no merged results file'
      : `merged: ${files.merged}`;
  // A cancelled merge job (Slurm's kill_invalid_depend cancels it when a shard fails; or a user) is submitted
  // again, as is one Slurm forgot before it wrote the merged results.
  const mergeNeverRan = mergePhase === 'gone' || mergeInfo?.state === 'CANCELLED';
  if (exhausted.length === 0 && mergePhase !== 'completed' && (retry.length > 0 || mergeNeverRan)) {
    const open = shards
      .filter((shard) => shard.phase !== 'completed')
      .map((shard) => state.shardJobs[shard.index]!);
    const dependency = open.length === 0 ? '' : `afterok:${open.join(':')}`;
    if (mergePhase === 'pending') {
      const update = await slurmTool(
        'scontrol',
        ['update', `JobId=${state.mergeJobId}`, `Dependency=${dependency}`],
        io,
      );
      if (update.exitCode !== 0) {
        throw new ConfigurationError(
          `scontrol could not make the merge job ${state.mergeJobId} wait for ${dependency || 'nothing'}: ${update.stderr.trim()}`,
        );
      }
      messages.push(`The merge job ${state.mergeJobId} now waits for ${dependency || 'nothing'}.`);
      mergeDetail = `waits for ${dependency || 'nothing'}`;
    } else if (mergeNeverRan) {
      const mergeJobId = await sbatch(
        [
          ...(dependency === '' ? [] : [`--dependency=${dependency}`]),
          join(jobDirectory, jobFiles.mergeScript),
        ],
        'the merge job',
        io,
        state.workingDirectory,
      );
      messages.push(`Submitted a new merge job ${mergeJobId}${dependency ? ` (${dependency})` : ''}.`);
      state.mergeJobId = mergeJobId;
      mergePhase = 'pending';
      mergeDetail = dependency ? `waits for ${dependency}` : 'PENDING';
    }
  }
  await writeState(jobDirectory, state);

  const lines = [
    `Run ${state.runId}: ${state.shards} shard${state.shards === 1 ? '' : 's'}, job directory ${jobDirectory}`,
  ];
  for (const shard of shards) {
    lines.push(
      `  shard ${String(shard.index).padEnd(4)} ${shard.phase.padEnd(10)} job ${shard.job} (${shard.detail})${shard.note}`,
    );
  }
  lines.push(
    `  merge      ${(mergePhase === 'gone' ? 'unknown' : mergePhase).padEnd(10)} job ${state.mergeJobId} (${mergeDetail})`,
  );
  for (const shard of exhausted) {
    messages.push(
      `Shard ${shard.index} failed ${state.attempts[shard.index]} time${state.attempts[shard.index] === 1 ? '' : 's'}, the retry limit (${state.retries}): ` +
        `see ${join(jobDirectory, jobFiles.logs)}/shard_*_${shard.index}.err; "evalchemy slurm status --retries ${state.retries + 1}" tries once more.`,
    );
  }
  if (mergePhase === 'failed') {
    messages.push(
      `The merge job failed: see ${join(jobDirectory, jobFiles.logs)}/merge_${state.mergeJobId}.err.`,
    );
  }
  if (mergePhase === 'completed') {
    messages.push(`Complete: merged results in ${files.merged ?? join(jobDirectory, jobFiles.results)}.`);
  }
  io.stdout.write(`${[...lines, ...messages].join('\n')}\n`);
  if (mergePhase === 'completed') return slurmExitCodes.complete;
  if (exhausted.length > 0 || mergePhase === 'failed') return slurmExitCodes.failed;
  return slurmExitCodes.notYet;
}
