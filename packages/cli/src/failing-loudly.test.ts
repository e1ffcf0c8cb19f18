// What a run that goes wrong tells its user: failed samples, a refused key and signals each end with their
// own exit code (exit-codes.ts) and a message saying what happened.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, replayMtbenchRun, resultsIn } from './__fixtures__/evalchemy-cli.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(settings: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const server = await startScriptedServer(settings);
  servers.push(server);
  return server;
}

const answer18 = () => 'Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.';

function gsm8kRun(
  server: ScriptedServer,
  output: string,
  settings: { limit: number; tasks?: string; modelArgs?: string; concurrency?: number },
): string[] {
  return openaiRun({
    baseUrl: server.url,
    output,
    tasks: settings.tasks ?? 'gsm8k',
    limit: settings.limit,
    modelArgs: `,max_retries=0${settings.modelArgs ?? ''}`,
    extra: ['--concurrency', String(settings.concurrency ?? 4)],
  });
}

function mtbenchReplay(output: string): string[] {
  return replayMtbenchRun(['--concurrency', '2', '--output_path', output]);
}

describe('samples that fail for infrastructure reasons', () => {
  it('are counted per task in the table and the results file, and the run exits 4', async () => {
    // Every other request fails with 503, and the backend may not retry: 5 of 10 samples fail. (A 429 would
    // not do: the runner's scheduler resends rate-limited requests.)
    const server = await serve({
      reply: answer18,
      faults: (index) => (index % 2 === 0 ? { kind: 'status', status: 503 } : undefined),
    });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(gsm8kRun(server, output, { limit: 10 }));

    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(
      /\| gsm8k +\| exact_match_flexible +\| [0-9.]+ +\| [0-9.]+ +\| 5\/10 +\| 5 +\|/,
    );
    expect(result.stderr).toMatch(
      /error: 5 of 10 samples failed for infrastructure reasons and are left out of the metrics: gsm8k 5 of 10 \(.*HTTP 503/,
    );
    const { results } = await resultsIn(output, 'm');
    expect(results['n-samples']).toEqual({ gsm8k: { effective: 10, scored: 5, failed: 5 } });
    expect(results.sample_failures).toEqual({
      gsm8k: { failed: 5, example: expect.stringMatching(/HTTP 503/) },
    });
  });

  it('include a sample whose judge call failed, though the benchmark scored around it', async () => {
    // The judge answers HTTP 400 (not retried) for both turns of one question.
    const judge = await serve({
      reply: () => 'Rating: [[8]]',
      faults: (_, request) =>
        request.messages
          ?.at(-1)
          ?.content.includes('Compose an engaging travel blog post about a recent trip to Hawaii')
          ? { kind: 'status', status: 400 }
          : undefined,
    });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(mtbenchReplay(output), { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url } });

    expect(result.exitCode).toBe(4);
    const { results, files } = await resultsIn(output, 'gpt-3.5-turbo');
    expect(results['n-samples']).toEqual({ mtbench: { effective: 80, scored: 79, failed: 1 } });
    const samples = (
      await readFile(
        join(output, 'gpt-3.5-turbo', files.find((name) => name.startsWith('samples_'))!),
        'utf8',
      )
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { sample_id: string; error?: string });
    expect(samples.filter((sample) => sample.error !== undefined)).toEqual([
      expect.objectContaining({
        sample_id: '81',
        error: expect.stringMatching(/^judge call failed: .*HTTP 400/),
      }),
    ]);
  });
});

describe('a server that refuses the API key', () => {
  it('stops the run at once with exit 5, naming the server and where the key came from, never the key', async () => {
    const server = await serve({ faults: () => ({ kind: 'status', status: 401 }) });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const key = 'sk-test-refused-0123456789';
    const fromEnvironment = await evalchemy(gsm8kRun(server, output, { limit: 40, concurrency: 2 }), {
      env: { OPENAI_API_KEY: key },
    });

    expect(fromEnvironment.exitCode).toBe(5);
    // Only the requests already in flight when the first refusal came back.
    expect(server.requestCount).toBeLessThanOrEqual(2);
    expect(fromEnvironment.stderr).toContain(
      `error: The model's server ${server.url} did not accept the API key from OPENAI_API_KEY (HTTP 401, model m). The run stopped at once`,
    );
    expect(fromEnvironment.stderr + fromEnvironment.stdout).not.toContain(key);
    expect(await readdir(join(output, 'm'))).toEqual([]);

    const fromFlag = await evalchemy(gsm8kRun(server, output, { limit: 40, modelArgs: `,api_key=${key}` }));
    expect(fromFlag.exitCode).toBe(5);
    expect(fromFlag.stderr).toContain('did not accept the API key from --model_args api_key (HTTP 401');
    expect(fromFlag.stderr + fromFlag.stdout).not.toContain(key);
  });

  it('stops the run when it is the judge, naming the judge key variable', async () => {
    const judge = await serve({ faults: () => ({ kind: 'status', status: 403 }) });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const key = 'sk-judge-refused-0123456789';
    const result = await evalchemy(mtbenchReplay(output), {
      env: { EVALCHEMY_JUDGE_BASE_URL: judge.url, EVALCHEMY_JUDGE_API_KEY: key },
    });

    expect(result.exitCode).toBe(5);
    expect(judge.requestCount).toBeLessThanOrEqual(2);
    expect(result.stderr).toContain(
      `error: The judge's server ${judge.url} refused access with the API key from EVALCHEMY_JUDGE_API_KEY (HTTP 403, model gpt-4)`,
    );
    expect(result.stderr + result.stdout).not.toContain(key);
  });
});

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops the run with exit %i, saying how to resume', async (signal, code) => {
    const server = await serve({ faults: () => ({ kind: 'hang' }) });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const run = evalchemy(gsm8kRun(server, output, { limit: 4 }));
    while (server.requestCount === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    run.kill(signal);
    const result = await run;

    expect(result.exitCode).toBe(code);
    expect(result.stderr).toContain('Interrupted: the backend and sandboxes were stopped');
  });
});

describe('--tasks', () => {
  it('runs a task named twice through two spellings once', async () => {
    const server = await serve({ reply: answer18 });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(gsm8kRun(server, output, { limit: 2, tasks: 'GSM8K,gsm8k' }));

    expect(result.exitCode).toBe(0);
    expect(result.stderr.match(/\[gsm8k\] started/g)).toHaveLength(1);
    const { files } = await resultsIn(output, 'm');
    expect(files.filter((name) => name.startsWith('samples_gsm8k_'))).toHaveLength(1);
    expect(server.requestCount).toBe(2);
  });
});

describe('evalchemy run --help', () => {
  it('lists every exit code', async () => {
    const result = await evalchemy(['run', '--help']);
    expect(result.exitCode).toBe(0);
    for (const code of ['0', '1', '2', '3', '4', '5', '6', '7', '130'])
      expect(result.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(result.stdout).toContain('143 by SIGTERM');
  });
});
