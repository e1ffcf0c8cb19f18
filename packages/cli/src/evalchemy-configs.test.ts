// Config files in Evalchemy's format (`configs/*.yaml` of mlfoundations/evalchemy, read by its eval/eval.py:
// `tasks: [{task_name, batch_size}]`, `annotator_model`, `max_tokens`) run unchanged beside this CLI's format,
// and the suites shipped in packages/cli/configs/ are Evalchemy's, with this CLI's task names.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, resultsIn } from './__fixtures__/evalchemy-cli.js';
import {
  loadConfigFile,
  readConfigFile,
  shippedConfigNames,
  shippedConfigsDirectory,
} from './config-file.js';
import { knownTags } from './known-plugins.js';
import { findKnownPlugin } from './plugin-discovery.js';

/**
 * The name this CLI gives Evalchemy's task `name`: a published benchmark's id, or one of the published tags
 * (`ai2_arc`, lm-eval's tag of arc_easy and arc_challenge); undefined for a task no `@evalchemy` package has.
 */
function knownTask(name: string): string | undefined {
  return (
    findKnownPlugin('benchmark', name)?.id ?? Object.keys(knownTags).find((tag) => tag === name.toLowerCase())
  );
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(reply: () => string): Promise<ScriptedServer> {
  const started = await startScriptedServer({ reply });
  servers.push(started);
  return started;
}

/** A config file with `text` in a fresh folder; returns its path. */
async function configFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'evalchemy-config-')), 'eval.yaml');
  await writeFile(path, text);
  return path;
}

const modelArgs = (url: string) => ['--model', 'openai', '--model_args', `model=m,base_url=${url}`];

describe("a config file in Evalchemy's format", () => {
  const evalchemyConfig = [
    'annotator_model: judge-from-file',
    'max_tokens: 64',
    'tasks:',
    '  - task_name: MTBench',
    '    batch_size: 2',
    '  - task_name: GSM8K',
    '    batch_size: 3',
    '    num_fewshot: 0',
    '',
  ].join('\n');

  it("runs as Evalchemy runs it: its tasks, its judge model, its max_tokens, a per-task option; the smallest batch_size bounds the run's requests", async () => {
    const model = await server(() => 'The answer is 18.');
    const judge = await server(() => 'Rating: [[7]]');
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      ['run', ...modelArgs(model.url), '--config', await configFile(evalchemyConfig), '--limit', '2'],
      { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url }, cwd: output },
    );
    expect(result.stderr).not.toMatch(/warning/);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/batch_size range from 2 \(MTBench\) to 3; .* it uses the smallest, 2\./);
    // Two MT-Bench questions of two turns, two GSM8K problems; each MT-Bench turn judged by the file's model.
    expect(model.requestCount).toBe(6);
    expect(model.requests.map((request) => request.body.max_tokens)).toEqual(Array(6).fill(64));
    expect(model.maxInFlight).toBeLessThanOrEqual(2);
    expect(judge.requests.map((request) => request.body.model)).toEqual(Array(4).fill('judge-from-file'));
    const gsm8k = model.requests.filter((request) => JSON.stringify(request.body.messages).includes('Janet'));
    // num_fewshot 0: the problem alone, no exemplar turns.
    expect(gsm8k).toHaveLength(1);
    expect((gsm8k[0]!.body.messages as unknown[]).length).toBeLessThanOrEqual(2);
    const { results } = await resultsIn(join(output, 'results'), 'm');
    expect(results.config).toMatchObject({
      annotator_model: 'judge-from-file',
      max_tokens: 64,
      concurrency: 2,
      tasks: { gsm8k: { num_fewshot: 0 } },
    });
    expect(Object.keys(results.results)).toEqual(['mtbench', 'gsm8k']);
  });

  it('gives way to flags: --batch_size, --max_tokens and --annotator_model win over the file', async () => {
    const model = await server(() => 'The answer is 18.');
    const judge = await server(() => 'Rating: [[7]]');
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      [
        'run',
        ...modelArgs(model.url),
        '--config',
        await configFile(evalchemyConfig),
        '--limit',
        '1',
        '--batch_size',
        '1',
        '--max_tokens',
        '32',
        '--annotator_model',
        'judge-from-flag',
        '--output_path',
        output,
      ],
      { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(/batch_size range/);
    expect(model.requests.map((request) => request.body.max_tokens)).toEqual([32, 32, 32]);
    expect(model.maxInFlight).toBe(1);
    expect(judge.requests.map((request) => request.body.model)).toEqual([
      'judge-from-flag',
      'judge-from-flag',
    ]);
    const { results } = await resultsIn(output, 'm');
    expect(results.config).toMatchObject({
      annotator_model: 'judge-from-flag',
      max_tokens: 32,
      concurrency: 1,
    });
  });

  it('accepts keys that mean nothing here with a warning naming each and its line, and runs', async () => {
    const model = await server(() => 'The answer is 18.');
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const path = await configFile(
      'wandb_args: project=evals\ndevice: cuda:0\ntasks:\n  - task_name: gsm8k\n    batch_size: auto\n',
    );
    const result = await evalchemy([
      'run',
      ...modelArgs(model.url),
      '--config',
      path,
      '--limit',
      '1',
      '--output_path',
      output,
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      `warning: Config file ${path}: "wandb_args" (line 1) has no meaning here and is ignored`,
    );
    expect(result.stderr).toContain(
      `warning: Config file ${path}: "device" (line 2) has no meaning here and is ignored`,
    );
    // batch_size auto sets no bound: the default concurrency.
    const { results } = await resultsIn(output, 'm');
    expect(results.config).toMatchObject({ concurrency: 32 });
  });

  it('refuses a misspelt setting before anything runs, naming the key, its line and the setting meant', async () => {
    const model = await server(() => 'The answer is 18.');
    const path = await configFile(
      'annotater_model: gpt-4o-mini\ntasks:\n  - task_name: gsm8k\n    batch_sise: 8\n',
    );
    const result = await evalchemy(['run', ...modelArgs(model.url), '--config', path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `error: Config file ${path} (Evalchemy's format) is invalid: annotater_model (line 1): no such setting; ` +
        'did you mean annotator_model?; tasks.0.batch_sise (line 4): no such key; did you mean batch_size?',
    );
    expect(model.requestCount).toBe(0);
  });
});

describe('the errors of a config file', () => {
  it.each([
    [
      'a batch_size that is no number',
      'tasks:\n  - task_name: gsm8k\n    batch_size: lots\n',
      'tasks.0.batch_size (line 3): must be an integer ≥ 1 or auto (task gsm8k)',
    ],
    [
      'an entry without task_name',
      'tasks:\n  - task_name: gsm8k\n  - batch_size: 8\n',
      'tasks.1 (line 3): an entry needs a task_name',
    ],
    [
      'a task listed twice',
      'tasks:\n  - task_name: MTBench\n    batch_size: 8\n  - task_name: mtbench\n',
      'tasks.1 (line 4): task mtbench is listed twice (also tasks.0); keep one',
    ],
    [
      'a wrong value deep in a setting of this CLI',
      'model: openai\njudges:\n  mtbench:\n    roles:\n      judge:\n        model: 4\n',
      'judges.mtbench.roles.judge.model (line 6): Invalid input: expected string, received number',
    ],
    [
      'a misspelt setting of this CLI',
      'tasks: [gsm8k]\nmax_token: 5\n',
      'max_token (line 2): no such setting; did you mean max_tokens?',
    ],
    [
      'a setting in both spellings',
      'model-args:\n  model: x\nmodel_args: {}\ntasks: [gsm8k]\n',
      'model_args (line 3): model_args is given twice (as model-args and model_args); keep one',
    ],
  ])('names the key and its line: %s', async (_, text, problem) => {
    const path = await configFile(text);
    await expect(readConfigFile(path)).rejects.toThrow(`Config file ${path}`);
    await expect(readConfigFile(path)).rejects.toThrow(problem);
  });

  it('tells the formats apart by shape: a list of names or a mapping is this CLI’s, {task_name} entries Evalchemy’s', async () => {
    const ours = await readConfigFile(await configFile('tasks: [gsm8k, mtbench]\nconcurrency: 4\n'));
    expect(ours).toMatchObject({
      format: 'evalchemy-cli',
      config: { tasks: ['gsm8k', 'mtbench'], concurrency: 4 },
    });
    const theirs = await readConfigFile(
      await configFile(
        'tasks:\n  - task_name: gsm8k\n    batch_size: 16\n  - task_name: ifeval\n    batch_size: 4\n',
      ),
    );
    expect(theirs).toMatchObject({
      format: 'evalchemy',
      config: { tasks: { gsm8k: {}, ifeval: {} }, concurrency: 4 },
    });
    // A concurrency in the file is the run's, whatever the tasks' batch sizes.
    const both = await readConfigFile(
      await configFile('concurrency: 12\ntasks:\n  - task_name: gsm8k\n    batch_size: 2\n'),
    );
    expect(both.config.concurrency).toBe(12);
    expect(both.notes).toEqual([]);
  });
});

/**
 * Evalchemy's suites as its files list them (mlfoundations/evalchemy at e130d83, configs/), transcribed for this
 * test: every entry is in the shipped file of the same name, with its batch size and under the name this CLI
 * gives the task, or is named in a comment there.
 */
const evalchemySuites: Record<string, [string, number][]> = {
  full: [
    ['alpaca_eval', 32],
    ['WildBench', 8],
    ['MixEval', 32],
    ['MTBench', 32],
    ['RepoBench', 4],
    ['zeroeval', 32],
    ['IFEval', 32],
    ['mmlu', 32],
    ['ai2_arc', 32],
    ['HumanEval', 32],
    ['MBPP', 32],
    ['drop', 32],
    ['hendrycks_math', 32],
  ],
  light: [
    ['alpaca_eval', 32],
    ['WildBench', 8],
    ['MixEval', 32],
    ['MTBench', 32],
    ['IFEval', 32],
    ['mmlu', 32],
    ['ai2_arc', 32],
    ['HumanEval', 32],
    ['MBPP', 32],
    ['drop', 32],
    ['hendrycks_math', 32],
  ],
  reasoning: [
    ['AIME24', 32],
    ['AMC23', 32],
    ['MATH500', 8],
    ['GPQADiamond', 8],
    ['BigCodeBench', 32],
    ['HumanEval', 32],
    ['MBPP', 16],
    ['LiveBench', 8],
    ['LiveCodeBench', 8],
  ],
  reasoning_lite: [
    ['AIME24', 32],
    ['AMC23', 32],
    ['BigCodeBench', 32],
    ['HumanEval', 32],
    ['MBPP', 16],
  ],
  'single_task/gpqa': [['GPQADiamond', 8]],
  'single_task/math500': [['MATH500', 8]],
};

describe('the shipped configs', () => {
  it('are the suites Evalchemy ships that have a task here', () => {
    expect(shippedConfigNames()).toEqual(Object.keys(evalchemySuites).sort());
  });

  for (const name of Object.keys(evalchemySuites)) {
    it(`${name}: found by its bare name, every task a known plugin, Evalchemy's tasks and batch sizes`, async () => {
      const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-cwd-'));
      const bare = name.replace('single_task/', '');
      const loaded = await loadConfigFile(bare, cwd);
      expect(loaded.path).toBe(join(shippedConfigsDirectory, `${name}.yaml`));
      expect(loaded).toMatchObject({ format: 'evalchemy', warnings: [] });
      expect(loaded.config.annotator_model).toBe('gpt-4o-mini-2024-07-18');
      const tasks = Object.keys(loaded.config.tasks ?? {});
      for (const task of tasks) expect(knownTask(task), task).toBe(task);

      const text = await readFile(loaded.path, 'utf8');
      const commented = [...text.matchAll(/^#\s+- task_name: (\S+)\s+\(batch_size (\d+); (.+)\)$/gm)].map(
        (match) => [match[1], Number(match[2])],
      );
      const shipped = [...text.matchAll(/^ {2}- task_name: (\S+)\n {4}batch_size: (\d+)$/gm)].map((match) => [
        match[1],
        Number(match[2]),
      ]);
      const expected = evalchemySuites[name]!;
      // Each Evalchemy entry, in order, is either shipped under this CLI's name or commented with a reason.
      expect(
        expected
          .filter(([task]) => knownTask(task) !== undefined)
          .map(([task, size]) => [knownTask(task)!, size]),
      ).toEqual(shipped);
      expect(expected.filter(([task]) => knownTask(task) === undefined)).toEqual(commented);
      expect(loaded.config.concurrency).toBe(
        Math.min(
          ...expected
            .map(([, size]) => size)
            .filter((_size, index) => knownTask(expected[index]![0]) !== undefined),
        ),
      );
    });
  }

  it('runs by bare name from any folder: --config reasoning_lite', async () => {
    const model = await server(() => 'The answer is 18.');
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-cwd-'));
    const result = await evalchemy(
      ['run', ...modelArgs(model.url), '--config', 'reasoning_lite', '--limit', '1', '--predict_only'],
      { cwd },
    );
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(join(cwd, 'results'), 'm');
    expect(Object.keys(results.results)).toEqual(['aime24', 'amc23', 'humaneval', 'mbpp']);
    expect(results.config).toMatchObject({ concurrency: 16 });
  });

  it('are listed by evalchemy list, with their folder, which --help points to', async () => {
    const help = await evalchemy(['--help']);
    expect(help.stdout).toMatch(
      /evalchemy list \[--include_path DIR\]\s+installed benchmarks, backends, sandboxes,\s+and the shipped configs/,
    );
    const list = await evalchemy(['list']);
    expect(list.stdout).toContain(
      `Configs (evalchemy run --config NAME): ${Object.keys(evalchemySuites).sort().join(', ')}\n  in ${shippedConfigsDirectory}`,
    );
  });

  it('a name that is neither a file nor a shipped config is an error listing the shipped ones', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-cwd-'));
    const result = await evalchemy(['run', '--model', 'openai', '--config', 'fulll'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `Cannot read config file ${join(cwd, 'fulll')}: there is no such file, and no config shipped with @evalchemy/cli is named "fulll". The shipped ones (--config NAME): full, light,`,
    );
  });
});

describe('a suite naming tasks that are not installed', () => {
  it("stops on Evalchemy's own full_gpt4omini0718.yaml, as Evalchemy ships it, naming every task not installed", async () => {
    const model = await server(() => 'The answer is 18.');
    // The file as in mlfoundations/evalchemy at e130d83, configs/full_gpt4omini0718.yaml (no newline at its end).
    const entries = evalchemySuites.full!;
    const text = `annotator_model: gpt-4o-mini-2024-07-18\ntasks:\n${entries
      .map(([task, size]) => `  - task_name: ${task}\n    batch_size: ${size}`)
      .join('\n')}`;
    const result = await evalchemy(['run', ...modelArgs(model.url), '--config', await configFile(text)]);
    expect(result.exitCode).toBe(2);
    const missing = entries.filter(([task]) => knownTask(task) === undefined);
    expect(result.stderr).toContain(
      `error: ${missing.length} of the plugins this run needs are not installed, nothing was run:\n` +
        missing
          .map(
            ([task]) =>
              `  benchmark "${task.toLowerCase()}": no @evalchemy package provides it: check the spelling\n`,
          )
          .join(''),
    );
    expect(model.requestCount).toBe(0);
  });

  it('names every one at once, before any request', async () => {
    const model = await server(() => 'The answer is 18.');
    const path = await configFile(
      'tasks:\n  - task_name: gsm8k\n    batch_size: 8\n  - task_name: LiveBench\n    batch_size: 8\n  - task_name: RepoBench\n    batch_size: 4\n',
    );
    const result = await evalchemy(['run', ...modelArgs(model.url), '--config', path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'error: 2 of the plugins this run needs are not installed, nothing was run:\n' +
        '  benchmark "livebench": no @evalchemy package provides it: check the spelling\n' +
        '  benchmark "repobench": no @evalchemy package provides it: check the spelling\n' +
        'Installed benchmarks: ',
    );
    expect(model.requestCount).toBe(0);
  });
});
