// The CLI as a process, loaded by bin.ts once the Node version is known to fit: signals, then main()'s exit
// code.
import { Interrupted, signalExitCode } from './exit-codes.js';
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
// SIGHUP too: a closed SSH session must stop the run (and the servers it launched) as Ctrl-C does.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(signalExitCode(signal));
    process.stderr.write(`\n${signal}: stopping (press Ctrl-C again to exit at once)...\n`);
    controller.abort(new Interrupted(signal));
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
