import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { configJsonSchema } from './config-file.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const answer18 = () => 'Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.';

describe('evalchemy list', () => {
  it('shows installed benchmarks and backends with their package versions', async () => {
    const result = await evalchemy(['list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Benchmarks:[\s\S]*gsm8k\s+@evalchemy\/benchmark-gsm8k@\d+\.\d+\.\d+/);
    expect(result.stdout).toMatch(/Backends:[\s\S]*openai\s+@evalchemy\/backend-openai@\d+\.\d+\.\d+/);
  });
});

describe('evalchemy run', () => {
  it('runs GSM8K against an OpenAI-compatible server and writes results, samples and a table', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=org/scripted,base_url=${server.url}`,
      '--tasks',
      'GSM8K',
      '--limit',
      '3',
      '--output_path',
      output,
    ]);
    expect(result.stderr).toMatch(/\[gsm8k\] 3\/3/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\| gsm8k\s+\| exact_match_flexible\s+\| 0\.3333/);
    const { results, files } = await resultsIn(output, 'org__scripted');
    // Only the first problem's answer is 18; lm-eval's strict-match wants "#### 18", which no answer has.
    expect(results.results).toMatchObject({
      gsm8k: { exact_match_strict: 0, exact_match_flexible: 1 / 3, 'exact_match,flexible-extract': 1 / 3 },
    });
    expect(files.some((name) => /^samples_gsm8k_.*\.jsonl$/.test(name))).toBe(true);
    expect(server.requestCount).toBe(3);
    expect(Object.keys(results.versions as object)).toEqual(
      expect.arrayContaining([
        '@evalchemy/cli',
        '@evalchemy/core',
        '@evalchemy/runner',
        '@evalchemy/backend-openai',
        '@evalchemy/benchmark-gsm8k',
      ]),
    );
  });

  it('accepts kebab-case flags and --config with per-task options', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const config = join(output, 'run.yaml');
    await writeFile(
      config,
      `model: openai\nmodel_args:\n  model: scripted\n  base_url: ${server.url}\ntasks:\n  gsm8k:\n    num_fewshot: 0\nlimit: 2\n`,
    );
    const result = await evalchemy([
      'run',
      '--config',
      config,
      '--output-path',
      output,
      '--max-tokens',
      '64',
    ]);
    expect(result.exitCode).toBe(0);
    const body = server.requests[0]!.body as { messages: { role: string }[]; max_tokens: number };
    expect(body.messages.filter((message) => message.role === 'assistant')).toHaveLength(0);
    expect(body.max_tokens).toBe(64);
    const { results } = await resultsIn(output, 'scripted');
    expect(results.config).toMatchObject({ tasks: { gsm8k: { num_fewshot: 0 } }, limit: 2, max_tokens: 64 });
  });

  it('rejects an unknown task, naming the installed ones, with exit code 2', async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=x',
      '--tasks',
      'nosuchbench',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/No benchmark named "nosuchbench".*Installed benchmarks: .*gsm8k/);
  });

  it('rejects an unknown model_args key, naming the accepted keys', async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=x,temprature=0',
      '--tasks',
      'gsm8k',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown option "temprature".*Accepted: .*base_url/);
  });

  it('reports a config file that is not YAML by line, without quoting it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-config-'));
    await writeFile(
      join(directory, 'run.yaml'),
      'model: openai\nmodel_args:\n  model: m\n  api_key: sk-DO-NOT-LEAK: 1\ntasks: [gsm8k]\n',
    );
    const result = await evalchemy(['run', '--config', join(directory, 'run.yaml')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/run\.yaml is not valid YAML \(line 4\): /);
    expect(result.stderr).not.toContain('DO-NOT-LEAK');
  });

  it('rejects an unknown task option from the config file, naming the task and the key', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-config-'));
    await writeFile(join(directory, 'run.yaml'), 'tasks:\n  gsm8k:\n    shots: 3\n');
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=x',
      '--config',
      join(directory, 'run.yaml'),
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/task gsm8k.*unknown option "shots".*num_fewshot/);
  });

  it('stops before any generation when a judged task has no judge key', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=x,base_url=${server.url}`,
      '--tasks',
      'MTBench',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/judge .*needs an API key.*EVALCHEMY_JUDGE_API_KEY or OPENAI_API_KEY/);
    expect(server.requestCount).toBe(0);
  });

  it('takes --annotator_model auto as the benchmark reference judge (MT-Bench: gpt-4)', async () => {
    server = await startScriptedServer({ reply: () => 'A fine answer.' });
    const judge = await startScriptedServer({ reply: () => 'Rating: [[7]]' });
    try {
      const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
      const result = await evalchemy(
        [
          'run',
          '--model',
          'openai',
          '--model_args',
          `model=m,base_url=${server.url}`,
          '--tasks',
          'mtbench',
          '--limit',
          '1',
          '--annotator_model',
          'auto',
          '--output_path',
          output,
        ],
        { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url } },
      );
      expect(result.exitCode).toBe(0);
      expect(judge.requests.map((request) => request.body.model)).toEqual(['gpt-4', 'gpt-4']);
      const { results } = await resultsIn(output, 'm');
      expect(results.config).toMatchObject({
        annotator_model: 'auto',
        judges: { mtbench: { judge: { backend: 'openai', model: 'gpt-4' } } },
      });
      expect(results.results).toMatchObject({ mtbench: { score: 7 } });
    } finally {
      await judge.close();
    }
  });

  it('sends model and judge requests to OPENAI_BASE_URL when no other URL is given', async () => {
    server = await startScriptedServer({ reply: () => 'Rating: [[7]]' });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const key = 'sk-env-key-0123456789';
    const result = await evalchemy(
      ['run', '--model', 'openai', '--model_args', 'model=m', '--tasks', 'mtbench', '--limit', '1'],
      { cwd: output, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: key } },
    );
    expect(result.exitCode).toBe(0);
    expect(server.requests.map((request) => request.body.model).sort()).toEqual(['gpt-4', 'gpt-4', 'm', 'm']);
    expect(server.requests.every((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
    const { results } = await resultsIn(join(output, 'results'), 'm');
    expect(results.results).toMatchObject({ mtbench: { score: 7 } });
  });

  it('never writes the API key into results, samples, cache or output', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const cache = await mkdtemp(join(tmpdir(), 'evalchemy-cache-'));
    const secret = 'sk-test-DO-NOT-LEAK-1234567890';
    const result = await evalchemy(
      [
        'run',
        '--model',
        'openai',
        '--model_args',
        `model=m,base_url=${server.url},api_key=${secret}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '2',
        '--output_path',
        output,
      ],
      { env: { EVALCHEMY_CACHE_DIR: cache } },
    );
    expect(result.exitCode).toBe(0);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    const everything = [result.stdout, result.stderr];
    for (const directory of [join(output, 'm'), join(cache, 'responses')]) {
      for (const name of await readdir(directory))
        everything.push(await readFile(join(directory, name), 'utf8'));
    }
    expect(everything.join('\n')).not.toContain(secret);
    expect(everything.join('\n')).toContain('<redacted>');
  });

  it('never writes credentials or tokens of a base_url into results, samples or output', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const baseUrl = server.url.replace('http://', 'http://alice:pw-DO-NOT-LEAK@');
    const run = (url: string) =>
      evalchemy([
        'run',
        '--model',
        'openai',
        '--model_args',
        `model=m,base_url=${url},max_retries=0`,
        '--tasks',
        'gsm8k',
        '--limit',
        '1',
        '--output_path',
        output,
      ]);
    const withPassword = await run(baseUrl);
    const withToken = await run(`${server.url}?api_key=qs-DO-NOT-LEAK&deployment=eu`);
    // A server that fails the requests gets its URL into every sample's error message.
    await server.close();
    const unreachable = await run(`${baseUrl}?key=qs-DO-NOT-LEAK`);

    expect(server.requests.map((request) => request.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    const everything = [withPassword, withToken, unreachable].flatMap((result) => [
      result.stdout,
      result.stderr,
    ]);
    for (const name of await readdir(join(output, 'm')))
      everything.push(await readFile(join(output, 'm', name), 'utf8'));
    expect(everything.join('\n')).toMatch(
      /Could not connect to OpenAI-compatible server http:\/\/127\.0\.0\.1:\d+\/v1 /,
    );
    expect(everything.join('\n')).not.toContain('DO-NOT-LEAK');
    expect(everything.join('\n')).toContain('deployment=eu');
  });

  it('names a malformed --model_args item without echoing any value', async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=m,api_key=sk-DO-NOT,LEAK-1234,base_url=http://127.0.0.1:1/v1',
      '--tasks',
      'gsm8k',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--model_args: item 3 is not of the form key=value.*follows "api_key="/);
    expect(result.stderr).not.toMatch(/DO-NOT|LEAK/);
  });
});

describe("the folder of a model's results", () => {
  it.each([
    ['..', '__'],
    ['../../escaped', '..__..__escaped'],
    ['/etc/cron.d/x', '__etc__cron.d__x'],
  ])('stays inside --output_path for model=%s', async (model, folder) => {
    server = await startScriptedServer({ reply: answer18 });
    const parent = await mkdtemp(join(tmpdir(), 'evalchemy-parent-'));
    const output = join(parent, 'a', 'out');
    const result = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 1, model }),
    );
    expect(result.exitCode).toBe(0);
    expect(await readdir(output)).toEqual([folder]);
    expect(await readdir(parent)).toEqual(['a']);
    expect(await readdir(join(parent, 'a'))).toEqual(['out']);
    const { results } = await resultsIn(output, folder);
    expect(results.model).toMatchObject({ model_id: model });
  });
});

describe('plugin discovery errors', () => {
  async function projectWith(
    name: string,
    manifest: Record<string, unknown>,
    entrySource?: string,
  ): Promise<string> {
    const project = await mkdtemp(join(tmpdir(), 'evalchemy-project-'));
    const directory = join(project, 'node_modules', name);
    await mkdir(directory, { recursive: true });
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({ name, version: '1.2.3', type: 'module', evalchemy: manifest }),
    );
    if (entrySource) await writeFile(join(directory, 'index.js'), entrySource);
    return project;
  }

  it('names the package whose manifest is invalid', async () => {
    const project = await projectWith('evalchemy-benchmark-broken', {
      manifestVersion: 1,
      kind: 'benchmark',
      id: 'broken',
      entry: './index.js',
      specification: 'nine',
    });
    const result = await evalchemy(
      ['run', '--model', 'openai', '--model_args', 'model=x', '--tasks', 'broken'],
      { cwd: project },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/evalchemy-benchmark-broken.*invalid "evalchemy" manifest.*specification/);
    const list = await evalchemy(['list'], { cwd: project });
    expect(list.stdout).toMatch(/broken\s+evalchemy-benchmark-broken@1\.2\.3\s+INVALID MANIFEST/);
  });

  it('names the package whose plugin object implements another contract version', async () => {
    const project = await projectWith(
      'evalchemy-benchmark-future',
      { manifestVersion: 1, kind: 'benchmark', id: 'future', entry: './index.js', specification: 'v1' },
      "export default { specificationVersion: 'v2', kind: 'benchmark', id: 'future', doLoad() {}, doPlan() {}, doScore() {} };",
    );
    const result = await evalchemy(
      ['run', '--model', 'openai', '--model_args', 'model=x', '--tasks', 'future'],
      { cwd: project },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /evalchemy-benchmark-future does not fulfil the evalchemy benchmark contract: it implements contract version v2/,
    );
  });

  it('finds a valid plugin installed in the user project', async () => {
    const project = await projectWith('evalchemy-benchmark-custom', {
      manifestVersion: 1,
      kind: 'benchmark',
      id: 'custom',
      entry: './index.js',
      specification: 'v1',
      description: 'Custom',
    });
    const list = await evalchemy(['list'], { cwd: project });
    expect(list.stdout).toMatch(/custom\s+evalchemy-benchmark-custom@1\.2\.3\s+Custom/);
  });
});

describe('a plugin made for another @evalchemy/core', () => {
  const coreVersion = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../core/package.json', import.meta.url)), 'utf8'),
  ).version as string;
  const cliVersion = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'))
    .version as string;

  /** A project with one working benchmark, `legacy`, whose package declares `@evalchemy/core` `^9.0.0`. */
  async function projectWithLegacyPlugin(): Promise<{ project: string; directory: string }> {
    const project = await realpath(await mkdtemp(join(tmpdir(), 'evalchemy-project-')));
    const directory = join(project, 'node_modules', 'evalchemy-benchmark-legacy');
    await mkdir(directory, { recursive: true });
    // The zod this repository installs, where a plugin's own dependency would be.
    await symlink(
      await realpath(join(packageDirectory, 'node_modules', 'zod')),
      join(project, 'node_modules', 'zod'),
    );
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({
        name: 'evalchemy-benchmark-legacy',
        version: '0.9.0',
        type: 'module',
        peerDependencies: { '@evalchemy/core': '^9.0.0' },
        evalchemy: {
          manifestVersion: 1,
          kind: 'benchmark',
          id: 'legacy',
          entry: './index.js',
          specification: 'v1',
        },
      }),
    );
    await writeFile(
      join(directory, 'index.js'),
      `import { z } from 'zod';
export default {
  specificationVersion: 'v1', kind: 'benchmark', id: 'legacy', version: '0.9.0', description: 'Says a number',
  optionsSchema: z.object({}), requirements: {}, primaryMetric: 'accuracy',
  async doLoad() { return { size: 2, samples: [{ id: 'a', data: '18' }, { id: 'b', data: '19' }] }; },
  doPlan: (sample) => ({ type: 'chat', turns: ['Say ' + sample.data + '.'], parameters: { temperature: 0, maxTokens: 8 } }),
  async doScore(sample, responses) {
    return { metrics: { accuracy: responses.generations[0][0].text.includes(sample.data) ? 1 : 0 } };
  },
};
`,
    );
    return { project, directory };
  }

  const warningFor = (directory: string) =>
    `warning: evalchemy-benchmark-legacy@0.9.0 (${directory}) needs @evalchemy/core ^9.0.0 (its peer range), and ` +
    `this @evalchemy/cli ${cliVersion} runs with @evalchemy/core ${coreVersion}: it may not work. It was built for a ` +
    'newer core: update @evalchemy/cli (npm install @evalchemy/cli@latest), or install an older version of ' +
    `evalchemy-benchmark-legacy whose range includes ${coreVersion}.`;

  it('is listed with one warning naming the package, its range, the installed core and what to do', async () => {
    const { project, directory } = await projectWithLegacyPlugin();
    const list = await evalchemy(['list'], { cwd: project });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/legacy\s+evalchemy-benchmark-legacy@0\.9\.0/);
    // The repository's own plugins declare >=0.1.0 and are not warned about.
    expect(list.stderr).toBe(warningFor(directory));
  });

  it('still runs, warned about once however many times the run names it', async () => {
    const { project, directory } = await projectWithLegacyPlugin();
    server = await startScriptedServer({ reply: () => '18' });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'legacy,LEGACY', limit: 2 }),
      {
        cwd: project,
      },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split(warningFor(directory))).toHaveLength(2);
    expect(result.stderr).not.toMatch(/warning: @evalchemy\//);
    expect(result.stdout).toMatch(/\| legacy\s+\| accuracy\s+\| 0\.5/);
  });
});

describe('plugins that claim the name of another', () => {
  it('refuses a backend id claimed in a parent workspace, naming both packages, and runs none of its code', async () => {
    const workspace = await realpath(await mkdtemp(join(tmpdir(), 'evalchemy-parent-')));
    await writeFile(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - tools/*\n');
    const impostor = join(workspace, 'tools', 'helper');
    await mkdir(impostor, { recursive: true });
    await writeFile(
      join(impostor, 'package.json'),
      JSON.stringify({
        name: 'innocent-helper',
        version: '1.2.3',
        type: 'module',
        evalchemy: {
          manifestVersion: 1,
          kind: 'backend',
          id: 'openai',
          entry: './index.js',
          specification: 'v1',
        },
      }),
    );
    await writeFile(
      join(impostor, 'index.js'),
      "import { writeFileSync } from 'node:fs';\n" +
        `writeFileSync(${JSON.stringify(join(impostor, 'stolen'))}, process.env.OPENAI_API_KEY ?? '');\n`,
    );
    const project = join(workspace, 'my-evaluation');
    await mkdir(project);
    const secret = 'sk-test-DO-NOT-LEAK-0987654321';

    const result = await evalchemy(
      ['run', '--model', 'openai', '--model_args', 'model=x', '--tasks', 'gsm8k'],
      { cwd: project, env: { OPENAI_API_KEY: secret } },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /2 packages claim the backend "openai": @evalchemy\/backend-openai@\S+ \(\/.*\) and innocent-helper@1\.2\.3 \((.*)\)/,
    );
    expect(result.stderr).toContain(`innocent-helper@1.2.3 (${impostor})`);
    expect(existsSync(join(impostor, 'stolen'))).toBe(false);
    expect(result.stderr).not.toContain(secret);

    const list = await evalchemy(['list'], { cwd: project });
    expect(list.stdout).toContain(`CONFLICT: ${impostor} shares a name with @evalchemy/backend-openai@`);
  });
});

describe('the template benchmark hello', () => {
  it('is neither listed nor run: it is for plugin authors to copy', async () => {
    const list = await evalchemy(['list']);
    expect(list.stdout).toMatch(/gsm8k/);
    expect(list.stdout).not.toMatch(/hello/i);
    const result = await evalchemy('run --model openai --model_args model=x --tasks hello'.split(' '));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/No benchmark named "hello" is installed/);
  });
});

describe('config schema', () => {
  it('is published up to date in config.schema.json', async () => {
    const published = JSON.parse(await readFile(join(packageDirectory, 'config.schema.json'), 'utf8'));
    expect(published).toEqual(configJsonSchema());
  });
});
