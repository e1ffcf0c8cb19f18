import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, sharedModelsDirectory, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('task identities in the results file', () => {
  it('agree for the same command, ignore the API key and --concurrency, and change with --limit or a task option', async () => {
    server = await startScriptedServer({ reply: () => 'The answer is 18.' });
    const url = server.url;
    const run = async (settings: { key: string; limit?: number; extra?: string[] }) => {
      const output = await mkdtemp(join(tmpdir(), 'evalchemy-identity-'));
      const result = await evalchemy(
        openaiRun({
          baseUrl: url,
          output,
          tasks: 'gsm8k,math500',
          limit: settings.limit ?? 2,
          modelArgs: `,api_key=${settings.key}`,
          extra: settings.extra ?? [],
        }),
      );
      expect(result.stderr).not.toContain(settings.key);
      expect(result.exitCode).toBe(0);
      const { results, files } = await resultsIn(output, 'm');
      for (const name of files)
        expect(await readFile(join(output, 'm', name), 'utf8')).not.toContain(settings.key);
      return results;
    };
    const identities = (results: Awaited<ReturnType<typeof run>>) => ({
      gsm8k: results.tasks.gsm8k!.identity,
      math500: results.tasks.math500!.identity,
    });

    const first = await run({ key: 'sk-first-key-0123456789' });
    expect(first.format_version).toBe(1);
    expect(first.tasks.gsm8k).toMatchObject({
      identity: expect.stringMatching(/^[0-9a-f]{64}$/),
      options: { num_fewshot: 5, fewshot_seed: 1234 },
      // the test split, and the train split the exemplars are drawn from (sorted by path)
      datasets: [
        expect.objectContaining({ repository: 'openai/gsm8k', path: 'main/test-00000-of-00001.parquet' }),
        expect.objectContaining({ repository: 'openai/gsm8k', path: 'main/train-00000-of-00001.parquet' }),
      ],
      usage: { model: { requests_sent: 2, cache_hits: 0 } },
    });
    const second = await run({ key: 'sk-first-key-0123456789' });
    expect(second.run_id).not.toBe(first.run_id);
    expect(identities(second)).toEqual(identities(first));

    const otherKey = await run({ key: 'sk-other-key-9876543210', extra: ['--concurrency', '3'] });
    expect(identities(otherKey)).toEqual(identities(first));

    const longer = await run({ key: 'sk-first-key-0123456789', limit: 3 });
    expect(longer.tasks.gsm8k!.identity).not.toBe(first.tasks.gsm8k!.identity);
    expect(longer.tasks.math500!.identity).not.toBe(first.tasks.math500!.identity);

    const config = join(await mkdtemp(join(tmpdir(), 'evalchemy-identity-config-')), 'run.yaml');
    await writeFile(config, 'tasks:\n  gsm8k:\n    num_fewshot: 0\n');
    const zeroShot = await run({ key: 'sk-first-key-0123456789', extra: ['--config', config] });
    expect(zeroShot.tasks.gsm8k!.identity).not.toBe(first.tasks.gsm8k!.identity);
    expect(zeroShot.tasks.math500!.identity).toBe(first.tasks.math500!.identity);
  });
});

describe('task identities of an in-process llamacpp model', () => {
  it('ignore threads and batch size, and change with the context size', async () => {
    const model = join(sharedModelsDirectory(), 'stories260K.gguf');
    const identity = async (modelArgs: string) => {
      const output = await mkdtemp(join(tmpdir(), 'evalchemy-identity-llamacpp-'));
      const result = await evalchemy([
        'run',
        '--model',
        'llamacpp',
        '--model_args',
        `model=${model}${modelArgs}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '1',
        '--max_tokens',
        '4',
        '--output_path',
        output,
      ]);
      expect(result.exitCode).toBe(0);
      return (await resultsIn(output, (await readdir(output))[0]!)).results.tasks.gsm8k!.identity;
    };
    const first = await identity(',threads=1');
    expect(await identity(',threads=2,batch_size=64')).toBe(first);
    expect(await identity(',threads=1,context_size=384')).not.toBe(first);
  });
});
