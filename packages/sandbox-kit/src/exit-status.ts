import { constants } from 'node:os';

/** Signal number → name; of two names for one number (SIGABRT and SIGIOT), the first, common one. */
const signalNames = new Map<number, string>();
for (const [name, number] of Object.entries(constants.signals)) {
  if (!signalNames.has(number)) signalNames.set(number, name);
}

/**
 * bubblewrap and `timeout` report a child killed by signal N as exit status 128+N (the shell convention);
 * results report it as a signal so "killed by SIGKILL" and "exited with 1" read differently.
 */
export function splitExitStatus(status: number | undefined | null): {
  exitCode: number | null;
  signal: string | null;
} {
  if (status === undefined || status === null) return { exitCode: null, signal: null };
  if (status > 128 && status < 128 + 65) {
    const name = signalNames.get(status - 128);
    if (name !== undefined) return { exitCode: null, signal: name };
  }
  return { exitCode: status, signal: null };
}
