// A separate process that opens a leaderboard and obeys commands, one per line on stdin, answering one JSON line
// each on stdout: `push <results file>`, `table`, `close`. Its arguments: the openLeaderboard options as JSON.
// The store's tests start several at once (concurrency, the PGlite lock, the idle release).
import { createInterface } from 'node:readline';
import { openLeaderboard } from '../open-leaderboard.js';
import { readRunFiles } from '../read-run-files.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof openLeaderboard>[0];
const say = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

const leaderboard = await openLeaderboard({
  ...options,
  onWait: (holder) => say({ waiting: holder }),
});
say({ ready: process.pid });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, argument] = line.split(' ', 2);
  try {
    if (command === 'push' && argument !== undefined) {
      say({ pushed: await leaderboard.push(await readRunFiles(argument)) });
    } else if (command === 'table') {
      say({ table: await leaderboard.table() });
    } else if (command === 'close') {
      await leaderboard.close();
      say({ closed: true });
      break;
    } else {
      say({ error: `unknown command ${line}` });
    }
  } catch (error) {
    say({ error: error instanceof Error ? error.message : String(error) });
  }
}
lines.close();
