// Cost in the results file and the --max_cost budget, through the built CLI against an OpenAI-compatible
// server on 127.0.0.1 (gpt-4o-mini, priced from the built-in list); and Evalchemy's curator routing.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const answer = () => 'Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.';

describe('cost', () => {
  it("gives the model's cost per task and for the run at the built-in price, and prints it", async () => {
    server = await startScriptedServer({ reply: answer });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-cost-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 3, model: 'gpt-4o-mini' }),
    );
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(output, 'gpt-4o-mini');
    const usage = results.tasks.gsm8k!.usage.model;
    // gpt-4o-mini: $0.15 per million prompt tokens, $0.60 per million completion tokens.
    const expected = (usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.cost_usd).toBeCloseTo(expected, 6);
    expect(results.usage.cost_usd).toBe(usage.cost_usd);
    expect(results.model.price).toMatchObject({
      input_per_million_tokens: 0.15,
      output_per_million_tokens: 0.6,
    });
    expect(result.stdout).toContain(`Cost: model $${expected.toFixed(4)}`);
  });
});

describe('--max_cost', () => {
  it('stops sending at the budget, writes what was done, exits 3, and a larger budget finishes from the cache', async () => {
    server = await startScriptedServer({ reply: answer });
    const cache = await mkdtemp(join(tmpdir(), 'evalchemy-cache-'));
    const env = { EVALCHEMY_CACHE_DIR: cache };
    const run = async (maxCost: string, output: string) =>
      evalchemy(
        openaiRun({
          baseUrl: server!.url,
          output,
          tasks: 'gsm8k',
          limit: 4,
          model: 'gpt-4o-mini',
          extra: ['--max_tokens', '50', '--concurrency', '1', '--max_cost', maxCost],
        }),
        { env },
      );

    // What four requests cost, measured in a run of its own (another cache, so it does not count).
    const measured = await mkdtemp(join(tmpdir(), 'evalchemy-cost-'));
    const full = await evalchemy(
      openaiRun({
        baseUrl: server.url,
        output: measured,
        tasks: 'gsm8k',
        limit: 4,
        model: 'gpt-4o-mini',
        extra: ['--max_tokens', '50'],
      }),
    );
    expect(full.exitCode).toBe(0);
    const fourRequests = (await resultsIn(measured, 'gpt-4o-mini')).results.usage.cost_usd!;
    const sentBefore = server.requestCount;

    // With a budget of exactly that, the ceiling of the last requests (every one of their 50 tokens) does
    // not fit: some are held back.
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-budget-'));
    const limited = await run(String(fourRequests), output);
    expect(limited.exitCode).toBe(3);
    expect(limited.stderr).toContain(`the budget --max_cost ${fourRequests} USD was reached`);
    const { results } = await resultsIn(output, 'gpt-4o-mini');
    const budget = results.budget!;
    const sent = server.requestCount - sentBefore;
    expect(budget).toMatchObject({ max_cost_usd: fourRequests, reached: true });
    expect(sent).toBeGreaterThan(0);
    expect(budget.requests_not_sent).toBeGreaterThan(0);
    expect(sent + budget.requests_not_sent).toBe(4);
    expect(budget.spent_usd).toBeLessThanOrEqual(fourRequests);
    expect(results['n-samples'].gsm8k).toEqual({ effective: 4, scored: sent, failed: 4 - sent });
    expect(limited.stdout).toMatch(/Cost: model \$\d+\.\d{4}, budget \$[\d.e-]+ \(reached\)/);

    const finished = await run('1', await mkdtemp(join(tmpdir(), 'evalchemy-budget-')));
    expect(finished.exitCode).toBe(0);
    expect(server.requestCount - sentBefore).toBe(4);
  });

  it('refuses a budget over a model without a known price before sending anything', async () => {
    server = await startScriptedServer({ reply: answer });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-budget-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 2, extra: ['--max_cost', '1'] }),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--max_cost needs the price of every model.*m \(openai\).*price_input=/);
    expect(server.requestCount).toBe(0);
  });

  it('rejects an amount that is not one', async () => {
    const result = await evalchemy(['run', '--model', 'openai', '--tasks', 'gsm8k', '--max_cost', 'lots']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--max_cost must be an amount of US dollars');
  });
});

describe('--model curator --model_name PROVIDER/MODEL', () => {
  it('routes openai/… to the openai backend at api_base', async () => {
    server = await startScriptedServer({ reply: answer });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-curator-'));
    const result = await evalchemy([
      'run',
      '--model',
      'curator',
      '--model_name',
      'openai/org/served-model',
      '--model_args',
      `api_base=${server.url},api_key=sk-curator-test-key-123`,
      '--tasks',
      'gsm8k',
      '--limit',
      '1',
      '--output_path',
      output,
    ]);
    expect(result.exitCode).toBe(0);
    expect(server.requests[0]!.body.model).toBe('org/served-model');
    const { results } = await resultsIn(output, 'org__served-model');
    expect(results.model).toMatchObject({ backend: 'openai', model_id: 'org/served-model' });
    expect(JSON.stringify(results)).not.toContain('sk-curator-test-key-123');
  });

  it('refuses a provider it does not route, naming those it does', async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'curator',
      '--model_name',
      'mistral/large',
      '--tasks',
      'gsm8k',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /"mistral\/large" does not start with a provider.*openai\/, anthropic\/, gemini\//,
    );
  });

  it('takes --model_name as the model of any other backend, and refuses two different models', async () => {
    server = await startScriptedServer({ reply: answer });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-model-name-'));
    const args = ['--tasks', 'gsm8k', '--limit', '1', '--output_path', output, '--model_name', 'named'];
    const named = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `base_url=${server.url}`,
      ...args,
    ]);
    expect(named.exitCode).toBe(0);
    expect(server.requests[0]!.body.model).toBe('named');
    const clash = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=other,base_url=${server.url}`,
      ...args,
    ]);
    expect(clash.exitCode).toBe(2);
    expect(clash.stderr).toContain(
      '--model_name named and the model "other" in --model_args name two models',
    );
  });
});
