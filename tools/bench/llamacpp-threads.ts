// Generation speed of the llamacpp backend by CPU thread count, on an idle machine and with busy loops on the
// other cores: the same greedy completions of stories260K.gguf with each `threads` setting, alternating, each
// in a fresh process (model load not timed) that is killed when it has not finished within the limit. The busy
// loops are processes started here, each ending by itself after the limit as well, and killed by pid when the run
// they load is over. `default` is the backend with no `threads` option.
// Usage: pnpm exec nx run-many -t build && pnpm exec tsx tools/bench/llamacpp-threads.ts
//          [--threads 1,2,default] [--busy 0,1 (busy loops per run)] [--rounds 3] [--limit 60 (seconds per run)]
//          [--tokens 128 (per completion, 4 completions)]
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLlamaCppBackend } from '@evalchemy/backend-llamacpp';
import { execa, type ResultPromise } from 'execa';

const { values } = parseArgs({
  options: {
    worker: { type: 'string' },
    threads: { type: 'string', default: '1,2,default' },
    busy: { type: 'string', default: '0,1' },
    rounds: { type: 'string', default: '3' },
    limit: { type: 'string', default: '60' },
    tokens: { type: 'string', default: '128' },
  },
});
const tokens = Number(values.tokens);
const prompts = ['Once upon a time', 'The little dog', 'One day, Lily', 'Tom and his mom'];

if (values.worker !== undefined) {
  // One measurement: load the model, then time the completions; prints one JSON line.
  const models =
    process.env.EVALCHEMY_MODELS_DIR ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'models');
  const backend = createLlamaCppBackend({
    model: join(models, 'stories260K.gguf'),
    ...(values.worker === 'default' ? {} : { threads: values.worker }),
  });
  const call = { signal: new AbortController().signal };
  await backend.doStart(call);
  const started = performance.now();
  let generated = 0;
  for (const [index, prompt] of prompts.entries()) {
    const origin = { task: 'threads', sampleId: String(index), turn: 0, generation: 0 };
    const parameters = { maxTokens: tokens, temperature: 0 };
    const result = await backend.doGenerate({ type: 'completion', prompt, parameters, origin }, call);
    generated += result.usage?.completionTokens ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, generated, threads: backend.describe().threads }));
  await backend.doStop();
  process.exit(0);
}

const limitSeconds = Number(values.limit);
const threadSettings = values.threads.split(',');
const busyCounts = values.busy.split(',').map(Number);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
console.log(
  `${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}; ${prompts.length} greedy completions of ` +
    `${tokens} tokens; limit ${limitSeconds} s per run; load average ${load()}`,
);

/** A process that spins one core until it is killed, or for the limit at most. */
function busyLoop(): ResultPromise {
  const script = `const end = Date.now() + ${limitSeconds * 1000 + 30_000}; while (Date.now() < end);`;
  return execa(process.execPath, ['-e', script], { reject: false });
}

/** A finished run; undefined when it had not finished within the limit. */
type Outcome = { seconds: number; generated: number; threads: number } | undefined;
const outcomes = new Map<string, Outcome[]>();
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const busy of busyCounts) {
    for (const threads of threadSettings) {
      const loops = Array.from({ length: busy }, busyLoop);
      // The limit is for the completions; model load takes about a second more.
      const worker = await execa(
        process.execPath,
        [...process.execArgv, import.meta.filename, '--worker', threads, '--tokens', String(tokens)],
        { reject: false, timeout: (limitSeconds + 15) * 1000 },
      );
      for (const loop of loops) loop.kill('SIGKILL');
      await Promise.all(loops);
      const line = worker.stdout.split('\n').find((text) => text.startsWith('{'));
      const run = worker.exitCode === 0 && line !== undefined ? (JSON.parse(line) as Outcome) : undefined;
      const outcome = run !== undefined && run.seconds <= limitSeconds ? run : undefined;
      const key = `threads=${threads}, ${busy} busy loop${busy === 1 ? '' : 's'}`;
      outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
      const failure = worker.exitCode !== 0 && !worker.timedOut ? `: ${worker.stderr.slice(-300)}` : '';
      console.log(
        `round ${round}, ${key}: ${
          outcome === undefined
            ? `no result within ${limitSeconds} s${worker.timedOut ? ' (killed)' : ''}${failure}`
            : `${outcome.seconds.toFixed(2)} s, ${(outcome.generated / outcome.seconds).toFixed(0)} tokens/s (${outcome.threads} threads)`
        }; load average ${load()}`,
      );
    }
  }
}

console.log('\n| setting | runs (s) | median tokens/s |\n|---|---|---|');
for (const [key, runs] of outcomes) {
  const rates = runs
    .map((run) => (run === undefined ? 0 : run.generated / run.seconds))
    .sort((a, b) => a - b);
  const times = runs
    .map((run) => (run === undefined ? `>${limitSeconds}` : run.seconds.toFixed(1)))
    .join(', ');
  console.log(`| ${key} | ${times} | ${rates[Math.floor(rates.length / 2)]!.toFixed(0)} |`);
}
