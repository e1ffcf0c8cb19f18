import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { formatJudgeAudit, formatResultsTable } from './results-table.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function ifeval(...extra: string[]) {
  server = await startScriptedServer({ reply: () => 'A short answer, all in lowercase.' });
  const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
  const result = await evalchemy(
    openaiRun({ baseUrl: server.url, output, tasks: 'ifeval', limit: 20, extra: [...extra] }),
  );
  const metricRows = result.stdout
    .split('\n')
    // metric names include Evalchemy's `prompt-level` and lm-eval's `prompt_level_strict_acc,none`
    .filter((line) => /^\| (ifeval)? +\| [\w:,-]+ +\| [0-9.]/.test(line));
  return { result, metricRows, ...(await resultsIn(output, 'm')) };
}

describe('the results table', () => {
  it("shows each task's headline metrics with their stderr and keeps the rest in the results file", async () => {
    const { result, metricRows, results } = await ifeval();

    expect(result.exitCode).toBe(0);
    expect(metricRows.map((row) => row.split('|')[2]!.trim())).toEqual([
      'prompt_level_strict_acc',
      'inst_level_strict_acc',
      'prompt_level_loose_acc',
      'inst_level_loose_acc',
    ]);
    expect(metricRows[0]).toMatch(/\| prompt_level_strict_acc +\| [0-9.]+ +\| [0-9.]+ +\| 20\/20 +\| 0 +\|$/);
    const perInstruction = Object.keys((results.results as { ifeval: object }).ifeval).filter((name) =>
      name.startsWith('inst_strict_acc_'),
    );
    expect(perInstruction.length).toBeGreaterThan(5);
    expect(result.stdout).toMatch(
      /\(\d+ more metrics in the results file; --show_all_metrics shows them here\.\)/,
    );
    expect(results.headline_metrics).toEqual({
      ifeval: [
        'prompt_level_strict_acc',
        'inst_level_strict_acc',
        'prompt_level_loose_acc',
        'inst_level_loose_acc',
      ],
    });
  });

  it('shows every metric with --show_all_metrics, primary metric first', async () => {
    const { result, metricRows, results } = await ifeval('--show_all_metrics');

    expect(result.exitCode).toBe(0);
    const shown = metricRows.map((row) => row.split('|')[2]!.trim());
    expect(shown[0]).toBe('prompt_level_strict_acc');
    expect(shown.sort()).toEqual(
      Object.keys((results.results as { ifeval: object }).ifeval)
        .filter((name) => !name.endsWith('_stderr'))
        .sort(),
    );
    expect(result.stdout).not.toContain('more metrics in the results file');
  });
});

describe('the table of a judged task', () => {
  it('shows n/a, not NaN, for a metric no sample had (a judge that never gave a parsable verdict)', () => {
    const table = formatResultsTable(
      [
        {
          task: 'mtbench',
          status: 'completed',
          metrics: { score: { value: Number.NaN, stderr: Number.NaN } },
          primaryMetric: 'score',
          headlineMetrics: ['score'],
          samples: { total: 3, scored: 3, failed: 0 },
          datasets: [],
          judgeAudit: {},
        },
      ],
      { showAll: false },
    );
    const row = table.split('\n').find((line) => line.startsWith('| mtbench'))!;
    expect(row.split('|').map((cell) => cell.trim())).toEqual([
      '',
      'mtbench',
      'score',
      'n/a',
      '',
      '3/3',
      '0',
      '',
    ]);
  });

  it('lists each judge with its requests, tokens, cost, unparsable verdicts and position consistency', () => {
    const judge = {
      backend: 'openai',
      requests_sent: 10,
      cache_hits: 2,
      prompt_tokens: 1000,
      completion_tokens: 50,
      verdicts: 12,
      unparsable_verdicts: 1,
      consistent_pairs: 0,
      swapped_pairs: 0,
      position_consistency: null,
    };
    const text = formatJudgeAudit({
      arena_hard: {
        judge: {
          ...judge,
          model_id: 'gpt-4-1106-preview',
          cost_usd: 0.0115,
          price: {
            input_per_million_tokens: 10,
            output_per_million_tokens: 30,
            source: 'built-in (2025-04)',
          },
          swapped_pairs: 6,
          consistent_pairs: 5,
          position_consistency: 5 / 6,
        },
      },
      mixeval: { parser: { ...judge, model_id: 'my-parser', cost_usd: null, price: null } },
    });
    expect(text.split('\n')).toEqual([
      'Judges:',
      '  arena_hard judge: gpt-4-1106-preview via openai: 10 requests (2 from cache), 1050 tokens, $0.0115, 1/12 verdicts unparsable, position consistency 83.3% (5/6 pairs)',
      '  mixeval parser: my-parser via openai: 10 requests (2 from cache), 1050 tokens, cost unknown (no price for this model), 1/12 verdicts unparsable',
    ]);
    expect(formatJudgeAudit({})).toBe('');
  });
});
