import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxV1 } from '@evalchemy/core';

/** The PATH of the process sandbox, where its `python3` is found. */
const sandboxPath = '/usr/local/bin:/usr/bin:/bin';

/** A Python for the process sandbox's suites: its settings and whether numpy can be imported there. */
export interface SandboxPython {
  /** `with numpy` or `without numpy`, for test names. */
  label: string;
  numpy: boolean;
  /** Process sandbox settings that select this Python (made on first call). */
  settings(): { python?: string; extra_read_only_paths?: string[] };
  /**
   * The problems a full-corpus suite runs under this Python. With numpy: all of them. Without: every fourth,
   * since the harness differs between the two only where numpy is imported or its values are encoded, which
   * the full run with numpy covers; a quarter of the corpus still checks every kind of problem without it, at
   * a quarter of the CPU time (minutes of CI per benchmark).
   */
  corpus<T>(problems: readonly T[]): T[];
}

let venv: string | undefined;

/**
 * The two Pythons the canonical-solution suites run under, so that a harness that behaves differently when
 * numpy is importable cannot go unnoticed: the sandbox's `python3` (with Debian's `python3-numpy`, which
 * `tools/services.sh` installs) and a virtualenv of the same interpreter without site-packages, made once under
 * the temporary directory and bound read-only into the sandbox.
 */
export function sandboxPythons(): SandboxPython[] {
  return [
    { label: 'with numpy', numpy: true, settings: () => ({}), corpus: (problems) => [...problems] },
    {
      label: 'without numpy',
      numpy: false,
      corpus: (problems) => problems.filter((_, index) => index % 4 === 0),
      settings: () => {
        venv ??= createVenv();
        return { python: join(venv, 'bin', 'python3'), extra_read_only_paths: [venv] };
      },
    },
  ];
}

function createVenv(): string {
  // One virtualenv per user, kept between runs: made aside, then renamed into place, so that test files running
  // at the same time never see a half-made one.
  const directory = join(tmpdir(), `evalchemy-python-without-numpy-${process.getuid?.() ?? 'user'}`);
  if (existsSync(join(directory, 'bin', 'python3'))) return directory;
  const scratch = mkdtempSync(`${directory}.`);
  // The sandbox runs as uid 65534 when the tests run as root.
  chmodSync(scratch, 0o755);
  execFileSync('python3', ['-m', 'venv', '--without-pip', scratch], {
    env: { PATH: sandboxPath },
    stdio: 'pipe',
  });
  try {
    renameSync(scratch, directory);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // another test file was first
  }
  return directory;
}

/**
 * Throws unless numpy is importable in `sandbox` exactly when `python.numpy` says so, naming the fix: a suite
 * meant to run with numpy must not pass silently without it.
 */
export async function expectNumpy(sandbox: SandboxV1, python: SandboxPython): Promise<void> {
  const result = await sandbox.doExecute(
    { language: 'python', source: 'import numpy' },
    { timeoutMs: 60_000 },
    { signal: AbortSignal.timeout(120_000) },
  );
  if ((result.exitCode === 0) === python.numpy) return;
  throw new Error(
    python.numpy
      ? `numpy cannot be imported by the sandbox's python3 (${result.stderr.trim().split('\n').pop()}): install Debian's python3-numpy (tools/services.sh does).`
      : `numpy can be imported by the sandbox's Python although it should not be: ${result.stdout}${result.stderr}`,
  );
}
