import { readFileSync } from 'node:fs';
import { EvalchemyError } from '@evalchemy/core';
import { configJsonSchema } from './config-file.js';
import { exitCodeOf, Interrupted, signalExitCode } from './exit-codes.js';
import { k8sCommand } from './k8s-command.js';
import { leaderboardCommand } from './leaderboard-command.js';
import { listCommand } from './list-command.js';
import { mergeCommand } from './merge-command.js';
import { redactUrlCredentials } from './redact-secrets.js';
import { type CommandIo, runCommand } from './run-command.js';
import { sandboxCommand } from './sandbox-command.js';
import { slurmCommand } from './slurm-command.js';

const help = `evalchemy: automatic evaluation of large language models

Commands:
  evalchemy run --model <backend> --model_args k=v,... --tasks a,b   run benchmarks (see run --help)
  evalchemy merge DIR...                                             combine the shards of a sharded run
                                                                     (run --shard I/N) into one result
  evalchemy list [--include_path DIR]                                installed benchmarks, backends, sandboxes,
                                                                     and the shipped configs (run --config full)
  evalchemy leaderboard push|list|export|serve                       every run in a database, and its web page
                                                                     (see leaderboard --help; run --use_database)
  evalchemy k8s manifest --shards N -- run ...                       Kubernetes manifests of a sharded run: an
                                                                     Indexed Job and a merge Job (see k8s --help)
  evalchemy sandbox build [--image NAME:TAG]                         build the Docker sandbox image
  evalchemy slurm submit --shards N … -- run …                       a sharded run on Slurm: an array job and a
                                                                     merge job after it (see slurm --help)
  evalchemy slurm status [--job_dir DIR]                             its shards' states; failed ones resubmitted
  evalchemy config-schema                                            JSON Schema of --config files
  evalchemy --version`;

/** The CLI's top level: the only place that turns errors into messages and exit codes (`exit-codes.ts`). */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  const log = {
    info: (message: string) => io.stderr.write(`${message}\n`),
    warn: (message: string) => io.stderr.write(`warning: ${message}\n`),
    debug: () => {},
  };
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'list':
        return await listCommand(rest, io);
      case 'merge':
        return await mergeCommand(rest, io);
      case 'leaderboard':
        return await leaderboardCommand(rest, io);
      case 'k8s':
        return await k8sCommand(rest, io);
      case 'sandbox':
        return await sandboxCommand(rest, { ...io, log });
      case 'slurm':
        return await slurmCommand(rest, io);
      case 'config-schema':
        io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return 0;
      case '--version':
      case '-v': {
        const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
          version: string;
        };
        io.stdout.write(`${packageJson.version}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${help}\n`);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`error: unknown command "${command}".\n\n${help}\n`);
        return 2;
    }
  } catch (error) {
    if (io.signal.aborted) {
      io.stderr.write(
        '\nInterrupted: the backend and sandboxes were stopped; completed responses are cached, so the same command resumes.\n',
      );
      const reason: unknown = io.signal.reason;
      return reason instanceof Interrupted ? signalExitCode(reason.signal) : signalExitCode('SIGINT');
    }
    // Credentials in URLs (a --database_url's password) are never printed, whatever error quotes one.
    if (EvalchemyError.isInstance(error)) {
      io.stderr.write(`error: ${redactUrlCredentials(error.message)}\n`);
    } else {
      io.stderr.write(
        `unexpected error: ${redactUrlCredentials(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
      );
    }
    return exitCodeOf(error);
  }
}
