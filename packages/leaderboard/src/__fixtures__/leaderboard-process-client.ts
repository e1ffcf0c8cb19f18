import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa, type ResultPromise } from 'execa';

const script = fileURLToPath(new URL('./leaderboard-process.ts', import.meta.url));
// tsx (the repository's dev dependency) runs the TypeScript script as it is, without a build.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A leaderboard in another process (see leaderboard-process.ts), and its answers as they come. */
export interface LeaderboardProcess {
  pid: number;
  /** Resolves with the next answer that has `key`. */
  next<T = unknown>(key: string): Promise<T>;
  send(line: string): void;
  /** Ends stdin and waits for the process to exit. */
  end(): Promise<void>;
  child: ResultPromise;
}

export function startLeaderboardProcess(options: Record<string, unknown>): LeaderboardProcess {
  const child = execa(process.execPath, ['--import', tsx, script, JSON.stringify(options)], {
    cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
    stdin: 'pipe',
    buffer: false,
    reject: false,
  });
  const answers: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (value: unknown) => void }[] = [];
  let stderr = '';
  let exited = false;
  const fail = (): void => {
    for (const waiter of waiters.splice(0)) {
      waiter.resolve(
        Promise.reject(new Error(`the leaderboard process exited before answering ${waiter.key}: ${stderr}`)),
      );
    }
  };
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (line.trim() === '') continue;
      const answer = JSON.parse(line) as Record<string, unknown>;
      const index = waiters.findIndex((waiter) => waiter.key in answer || 'error' in answer);
      const waiter = index === -1 ? undefined : waiters.splice(index, 1)[0];
      if (waiter === undefined) answers.push(answer);
      else if ('error' in answer && !(waiter.key in answer))
        waiter.resolve(Promise.reject(new Error(String(answer.error))));
      else waiter.resolve(answer[waiter.key]);
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  void child.then(() => {
    exited = true;
    fail();
  });
  return {
    pid: child.pid ?? -1,
    child,
    next<T>(key: string): Promise<T> {
      const index = answers.findIndex((answer) => key in answer || 'error' in answer);
      if (index !== -1) {
        const [answer] = answers.splice(index, 1);
        if (answer !== undefined && !(key in answer)) return Promise.reject(new Error(String(answer.error)));
        return Promise.resolve(answer?.[key] as T);
      }
      if (exited) return Promise.reject(new Error(`the leaderboard process has exited: ${stderr}`));
      return new Promise<T>((resolve) => {
        waiters.push({ key, resolve: resolve as (value: unknown) => void });
      });
    },
    send(line: string): void {
      child.stdin?.write(`${line}\n`);
    },
    async end(): Promise<void> {
      child.stdin?.end();
      await child;
    },
  };
}
