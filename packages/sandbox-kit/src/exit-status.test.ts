import { describe, expect, it } from 'vitest';
import { splitExitStatus } from './exit-status.js';

describe('splitExitStatus', () => {
  it('reports no status as neither exit code nor signal', () => {
    expect(splitExitStatus(undefined)).toEqual({ exitCode: null, signal: null });
    expect(splitExitStatus(null)).toEqual({ exitCode: null, signal: null });
  });

  it('passes ordinary exit codes through', () => {
    expect(splitExitStatus(0)).toEqual({ exitCode: 0, signal: null });
    expect(splitExitStatus(1)).toEqual({ exitCode: 1, signal: null });
    expect(splitExitStatus(127)).toEqual({ exitCode: 127, signal: null });
  });

  it('reports 128+N as the signal N', () => {
    expect(splitExitStatus(128 + 9)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(splitExitStatus(128 + 15)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(splitExitStatus(128 + 1)).toEqual({ exitCode: null, signal: 'SIGHUP' });
    expect(splitExitStatus(128 + 11)).toEqual({ exitCode: null, signal: 'SIGSEGV' });
  });

  it('names an aborted program SIGABRT, not its alias SIGIOT', () => {
    expect(splitExitStatus(128 + 6)).toEqual({ exitCode: null, signal: 'SIGABRT' });
  });

  it('keeps 128, unnamed signal numbers and statuses past 128+64 as exit codes', () => {
    expect(splitExitStatus(128)).toEqual({ exitCode: 128, signal: null });
    expect(splitExitStatus(128 + 40)).toEqual({ exitCode: 168, signal: null });
    expect(splitExitStatus(128 + 65)).toEqual({ exitCode: 193, signal: null });
    expect(splitExitStatus(255)).toEqual({ exitCode: 255, signal: null });
  });
});
