import { readFileSync } from 'node:fs';
import { AuthenticationError, EvalchemyError, StorageError } from '@evalchemy/core';
import { configJsonSchema } from './config-file.js';
import { exitCodes, Interrupted, signalExitCode } from './exit-codes.js';
import { listCommand } from './list-command.js';
import { type CommandIo, runCommand } from './run-command.js';
import { sandboxCommand } from './sandbox-command.js';

const help = `evalchemy: automatic evaluation of large language models

Commands:
  evalchemy run --model <backend> --model_args k=v,... --tasks a,b   run benchmarks (see run --help)
  evalchemy list                                                     installed benchmarks, backends, sandboxes
  evalchemy sandbox build [--image NAME:TAG]                         build the Docker sandbox image
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
        return await listCommand(io);
      case 'sandbox':
        return await sandboxCommand(rest, { ...io, log });
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
    if (EvalchemyError.isInstance(error)) {
      io.stderr.write(`error: ${error.message}\n`);
      if (AuthenticationError.isInstance(error)) return exitCodes.refused;
      if (StorageError.isInstance(error)) return exitCodes.storage;
      return exitCodes.badInput;
    }
    io.stderr.write(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitCodes.unexpected;
  }
}
