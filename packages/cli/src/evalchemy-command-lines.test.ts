// Evalchemy's and lm-evaluation-harness's command lines, with only the program name changed, through the built
// CLI against the test-kit's scripted OpenAI-compatible server on 127.0.0.1: what the server received and what
// the results file says.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readResultsFile,
  readSamplesFile,
  type ScriptedServer,
  sharedDatasetsDirectory,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, resultsIn } from './__fixtures__/evalchemy-cli.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const answer18 = () => 'Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.';
const output = () => mkdtemp(join(tmpdir(), 'evalchemy-command-lines-'));
/** Lines of a shared data file: a task's size, counted independently of the CLI. */
const datasetSize = (path: string) =>
  readFileSync(join(sharedDatasetsDirectory(), path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '').length;
/** The generation requests the server received (not `GET /v1/models`). */
const generations = (scripted: ScriptedServer) =>
  scripted.requests.filter((request) => request.method === 'POST');

describe('lm-evaluation-harness command lines', () => {
  it('runs an lm_eval line with short forms, --gen_kwargs, --num_fewshot and --output_path FILE.json', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const resultsPath = join(directory, 'nested', 'gsm8k-run.json');
    const result = await evalchemy([
      'run',
      '-m',
      'local-completions',
      '-a',
      `pretrained=org/scripted,base_url=${server.url}/completions,num_concurrent=2,timeout=30,tokenized_requests=False`,
      '-t',
      'gsm8k',
      '-f',
      '0',
      '-L',
      '2',
      '-b',
      'auto:4',
      '-s',
      '-o',
      resultsPath,
      '--gen_kwargs',
      'temperature=0.5,top_p=0.9,max_gen_toks=77,until=END,do_sample=True',
      '--seed',
      '7',
      '--show_config',
    ]);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.exitCode).toBe(0);

    // lm-eval's endpoint URL: the completions endpoint, with the task's prompt and every gen_kwargs setting.
    const sent = generations(server);
    expect(sent).toHaveLength(2);
    for (const request of sent) {
      expect(request.path).toBe('/v1/completions');
      expect(request.body).toMatchObject({
        model: 'org/scripted',
        temperature: 0.5,
        top_p: 0.9,
        max_tokens: 77,
        stop: ['END'],
        seed: 7,
      });
    }
    // --num_fewshot 0: the prompt opens with the test question, no exemplar before it.
    expect(String(sent[0]!.body.prompt).indexOf('Janet')).toBeLessThan(20);

    // The results file at exactly that path, the samples beside it.
    const results = await readResultsFile(resultsPath);
    const files = await readdir(join(directory, 'nested'));
    const samples = files.find((name) => /^samples_gsm8k_.+\.jsonl$/.test(name));
    expect(samples).toBeDefined();
    expect(await readSamplesFile(join(directory, 'nested', samples!))).toHaveLength(2);
    expect(results.tasks.gsm8k?.options).toMatchObject({ num_fewshot: 0 });
    expect(results.config).toMatchObject({
      num_fewshot: 0,
      gen_kwargs: { temperature: 0.5, top_p: 0.9, max_gen_toks: 77, until: 'END', do_sample: true },
      max_tokens: 77,
      seed: 7,
      random_seed: 7,
      fewshot_seed: 7,
      concurrency: 32,
      output_path: join(directory, 'nested'),
    });
    // --show_config prints the run's configuration.
    expect(result.stdout).toContain('Configuration:');
    expect(result.stdout).toContain('"gen_kwargs"');
  });

  it('takes --limit below 1 as a share of each task, rounded up as lm-eval does', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${server.url}`,
      '--tasks',
      'gsm8k',
      '--limit',
      '0.004',
      '--output_path',
      directory,
    ]);
    expect(result.exitCode).toBe(0);
    const expected = Math.ceil(datasetSize('gsm8k/test.jsonl') * 0.004);
    expect(generations(server)).toHaveLength(expected);
    const { results } = await resultsIn(directory, 'm');
    expect(results['n-samples']?.gsm8k?.effective).toBe(expected);
  });

  it('takes a config file limit below 1 as --limit does, and refuses a fractional count', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const config = join(directory, 'run.yaml');
    await writeFile(config, 'tasks: [gsm8k]\nlimit: 0.004\n');
    const command = ['run', '--model', 'openai', '--model_args', `model=m,base_url=${server.url}`];
    const result = await evalchemy([...command, '--config', config, '--output_path', directory]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(generations(server)).toHaveLength(Math.ceil(datasetSize('gsm8k/test.jsonl') * 0.004));

    await writeFile(config, 'tasks: [gsm8k]\nlimit: 2.5\n');
    const refused = await evalchemy([...command, '--config', config, '--output_path', directory]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /limit \(line 2\): a whole number of samples, or a share of each task below 1/,
    );
  });

  it('warns, naming each flag, for flags that have no effect here, and still runs', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${server.url},revision=main`,
      '--tasks',
      'gsm8k,ifeval',
      '--limit',
      '1',
      '--output_path',
      directory,
      '--num_fewshot',
      '3',
      '--device',
      'cuda:0',
      '--wandb_args',
      'project=lm-eval',
      '--hf_hub_log_args',
      'hub_results_org=x',
      '--cache_requests',
      'true',
      '--check_integrity',
      '-w',
      '--use_cache',
      '/tmp/lm-cache',
      '--max_batch_size',
      '64',
      '--trust_remote_code',
      '--seed',
      '0,1234,1234,99',
      '--verbosity',
      'DEBUG',
      '--log_samples',
    ]);
    expect(result.exitCode).toBe(0);
    for (const flag of [
      '--device',
      '--wandb_args',
      '--hf_hub_log_args',
      '--cache_requests',
      '--check_integrity',
      '--write_out',
      '--use_cache',
      '--max_batch_size',
      '--trust_remote_code',
    ]) {
      expect(result.stderr).toMatch(new RegExp(`warning: ${flag} has no effect`));
    }
    expect(result.stderr).toMatch(/warning: --num_fewshot 3 does not apply to task ifeval/);
    expect(result.stderr).toMatch(/warning: --seed 0,1234,1234,99: the few-shot seed 99 cannot be honoured/);
    expect(result.stderr).toMatch(/warning: backend openai: revision=main has no effect/);
    const { results } = await resultsIn(directory, 'm');
    expect(results.tasks.gsm8k?.options).toMatchObject({ num_fewshot: 3 });
    expect(results.config).toMatchObject({ seed: 0, random_seed: 0, fewshot_seed: 99 });
    // The first value of lm-eval's four is the requests' seed.
    expect(generations(server).every((request) => request.body.seed === 0)).toBe(true);
  });

  it('--verbosity ERROR leaves warnings out', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const result = await evalchemy([
      'run',
      '-m',
      'openai',
      '-a',
      `model=m,base_url=${server.url}`,
      '-t',
      'gsm8k',
      '-L',
      '1',
      '-o',
      directory,
      '--device',
      'cuda:0',
      '-v',
      'ERROR',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('warning:');
  });

  it('takes base_url as the full chat endpoint URL, and --apply_chat_template False as the completions endpoint', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const chat = await evalchemy([
      'run',
      '--model',
      'local-chat-completions',
      '--model_args',
      `model=m,base_url=${server.url}/chat/completions`,
      '--tasks',
      'gsm8k',
      '--limit',
      '1',
      '--output_path',
      await output(),
      '--apply_chat_template',
      '--fewshot_as_multiturn',
    ]);
    expect(chat.exitCode).toBe(0);
    expect(generations(server).map((request) => request.path)).toEqual(['/v1/chat/completions']);

    const completion = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${server.url}`,
      '--tasks',
      'gsm8k',
      '--limit',
      '1',
      '--output_path',
      await output(),
      '--apply_chat_template',
      'False',
    ]);
    expect(completion.exitCode).toBe(0);
    expect(generations(server).map((request) => request.path)).toEqual([
      '/v1/chat/completions',
      '/v1/completions',
    ]);
  });

  it('refuses an api that contradicts the endpoint URL, naming both', async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=m,base_url=http://127.0.0.1:9/v1/chat/completions,api=completions',
      '--tasks',
      'gsm8k',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/api=completions, but base_url is the \/chat\/completions endpoint/);
  });
});

describe('Evalchemy command lines', () => {
  it("--debug runs Evalchemy's debug size of each task: 2 for IFEval, the default 5 for gsm8k", async () => {
    server = await startScriptedServer({ reply: answer18 });
    const directory = await output();
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${server.url}`,
      '--tasks',
      'IFEval,gsm8k',
      '--debug',
      '--output_path',
      directory,
    ]);
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(directory, 'm');
    expect(results['n-samples']).toMatchObject({ ifeval: { effective: 2 }, gsm8k: { effective: 5 } });
    expect(generations(server)).toHaveLength(7);
    expect(results.config).toMatchObject({ debug: true });
  });

  it('--include_path finds a plugin package in a folder outside the project', async () => {
    const echoServer = await startScriptedServer({ reply: () => 'forty-two' });
    server = echoServer;
    const include = await mkdtemp(join(tmpdir(), 'evalchemy-include-'));
    const plugin = join(include, 'echo-task');
    await mkdir(plugin, { recursive: true });
    await writeFile(
      join(plugin, 'package.json'),
      JSON.stringify({
        name: 'third-party-echo-task',
        version: '1.0.0',
        type: 'module',
        evalchemy: {
          manifestVersion: 1,
          kind: 'benchmark',
          id: 'echo_task',
          entry: './index.js',
          specification: 'v1',
        },
      }),
    );
    // A benchmark without dependencies: its options schema is duck-typed (what the CLI calls of a zod schema).
    await writeFile(
      join(plugin, 'index.js'),
      `const schema = { shape: {}, safeParse: (value) => ({ success: true, data: value }) };
export default {
  specificationVersion: 'v1', kind: 'benchmark', id: 'echo_task', version: '1.0.0',
  description: 'answers forty-two', optionsSchema: schema, requirements: {}, primaryMetric: 'accuracy',
  async doLoad() { return { size: 3, samples: [0, 1, 2].map((i) => ({ id: String(i), data: i })) }; },
  doPlan(sample) { return { type: 'chat', turns: ['Question ' + sample.data], parameters: { temperature: 0 } }; },
  async doScore(sample, responses) {
    return { metrics: { accuracy: responses.generations[0][0].text === 'forty-two' ? 1 : 0 } };
  },
};
`,
    );
    const echoRun = () => [
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${echoServer.url}`,
      '--tasks',
      'echo_task',
    ];
    const directory = await output();
    const without = await evalchemy([...echoRun(), '--output_path', directory]);
    expect(without.exitCode).toBe(2);
    const result = await evalchemy([...echoRun(), '--output_path', directory, '--include_path', include]);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(directory, 'm');
    expect(results.results).toMatchObject({ echo_task: { accuracy: 1 } });
    expect(generations(server)).toHaveLength(3);

    const missing = await evalchemy([...echoRun(), '--include_path', join(include, 'nowhere')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--include_path .*nowhere does not exist/);

    // list shows the folder's plugins with the flag, as run finds them.
    const listed = await evalchemy(['list', '--include_path', include]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ {2}echo_task +third-party-echo-task@1\.0\.0 /m);
    expect((await evalchemy(['list'])).stdout).not.toContain('echo_task');
    const listedNowhere = await evalchemy(['list', '--include_path', join(include, 'nowhere')]);
    expect(listedNowhere.exitCode).toBe(2);
    expect(listedNowhere.stderr).toMatch(/--include_path .*nowhere does not exist/);

    // A sharded run of the folder's task merges with the same --include_path (the merge aggregates with it).
    const sharded = await output();
    for (const shard of ['0/2', '1/2']) {
      const result = await evalchemy([
        ...echoRun(),
        '--output_path',
        sharded,
        '--include_path',
        include,
        '--shard',
        shard,
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    const unmerged = await evalchemy(['merge', sharded]);
    expect(unmerged.exitCode).toBe(2);
    expect(unmerged.stderr).toContain('echo_task');
    const merged = await evalchemy(['merge', sharded, '--include_path', include]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    const mergedName = (await readdir(join(sharded, 'm'))).find((name) =>
      /^results_[0-9T.-]+\.json$/.test(name),
    );
    const mergedResults = await readResultsFile(join(sharded, 'm', mergedName!));
    expect(mergedResults.results).toMatchObject({ echo_task: { accuracy: 1 } });
    expect(mergedResults['n-samples'].echo_task).toMatchObject({ effective: 3 });
  });

  it('--model_id without --overwrite-database runs only the tasks the leaderboard lacks for that model', async () => {
    server = await startScriptedServer({ reply: answer18 });
    const leaderboardDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-command-lines-leaderboard-'));
    const env = { EVALCHEMY_LEADERBOARD_DIR: leaderboardDirectory };
    const run = async (extra: string[]) =>
      evalchemy(
        [
          'run',
          '--model',
          'openai',
          '--model_args',
          `model=m,base_url=${server!.url}`,
          '--tasks',
          'gsm8k',
          '--limit',
          '1',
          '--output_path',
          await output(),
          '--use_database',
          ...extra,
        ],
        { env },
      );
    const first = await run([]);
    expect(first.exitCode).toBe(0);
    const exported = await evalchemy(['leaderboard', 'export', '--csv', '-'], { env });
    const [header, row] = exported.stdout.trim().split('\n');
    const modelId = row!.split(',')[header!.split(',').indexOf('model_id')]!;
    expect(generations(server)).toHaveLength(1);

    const again = await run(['--model_id', modelId]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/All tasks \(gsm8k\) were found in the leaderboard/);
    expect(generations(server)).toHaveLength(1);

    const overwrite = await run(['--model_id', modelId, '--overwrite-database', '--no_cache']);
    expect(overwrite.exitCode).toBe(0);
    expect(overwrite.stdout).toMatch(/Leaderboard: run .* added/);
    expect(generations(server)).toHaveLength(2);
  });

  it('lists every accepted flag in run --help', async () => {
    const result = await evalchemy(['run', '--help']);
    expect(result.exitCode).toBe(0);
    const { runFlags } = await import('./arguments.js');
    for (const name of Object.keys(runFlags)) {
      expect(result.stdout).toContain(`--${name.replaceAll('-', '_')}`);
    }
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(runFlags)) {
      expect(readme).toContain(`--${name.replaceAll('-', '_')}`);
    }
  });
});
