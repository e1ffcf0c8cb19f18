import type { LoggerV1, SandboxProviderV1, SandboxV1 } from '@evalchemy/core';
import { execa } from 'execa';
import { sandboxEnvironment } from './bubblewrap-arguments.js';
import { oldBubblewrapMessage, probeBubblewrap } from './probe-bubblewrap.js';
import { type ProcessSandboxOptions, processSandboxOptionsSchema } from './process-options.js';
import { ProcessSandbox } from './process-sandbox.js';
import { VERSION } from './version.js';

const installHint =
  'Install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`; ' +
  'Arch: `sudo pacman -S bubblewrap`), or use the Docker sandbox (`--sandbox docker`, image from ' +
  '`evalchemy sandbox build`), or accept running generated code unisolated with the option ' +
  'unsafe_no_isolation: true.';

const silentLogger: LoggerV1 = { info() {}, warn() {}, debug() {} };

/** Creates the `process` sandbox provider. */
export function createProcessSandboxProvider(): SandboxProviderV1<ProcessSandboxOptions> {
  return {
    specificationVersion: 'v1',
    kind: 'sandbox',
    id: 'process',
    version: VERSION,
    optionsSchema: processSandboxOptionsSchema,
    checkAvailable: (options) => checkAvailable(options),
    createSandbox: (options, context): SandboxV1 => new ProcessSandbox(options, context.log),
  };
}

async function checkAvailable(options: ProcessSandboxOptions): Promise<true | string> {
  if (options.unsafe_no_isolation) {
    const python = await execa(options.python, ['-c', 'pass'], {
      env: { ...sandboxEnvironment },
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    });
    return python.exitCode === 0
      ? true
      : `process sandbox: ${options.python} could not be run (${python.shortMessage}). Install Python 3.`;
  }
  const probe = await probeBubblewrap(options.bwrap_path);
  if (probe === undefined) {
    return `process sandbox: bubblewrap (${options.bwrap_path}) was not found or does not run. ${installHint}`;
  }
  if (!probe.modern) return oldBubblewrapMessage(probe.path);
  // A real execution is the only reliable test: user namespaces may be disabled by sysctl or AppArmor.
  const sandbox = new ProcessSandbox({ ...options, concurrency: 1 }, silentLogger);
  try {
    const result = await sandbox.doExecute(
      { language: 'python', source: 'print("ok")' },
      { timeoutMs: 30_000 },
      { signal: AbortSignal.timeout(60_000) },
    );
    if (result.exitCode === 0 && result.stdout.trim() === 'ok') return true;
    const detail = (result.stderr.trim() || `exit code ${String(result.exitCode)}`).slice(0, 500);
    return (
      `process sandbox: bubblewrap could not run ${options.python} (${detail}). If user namespaces are ` +
      'disabled, enable them (`sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04+ ' +
      '`sysctl kernel.apparmor_restrict_unprivileged_userns=0`), or use the Docker sandbox (`--sandbox docker`).'
    );
  } catch (error) {
    return `process sandbox: bubblewrap failed to start (${error instanceof Error ? error.message : String(error)}). ${installHint}`;
  }
}
