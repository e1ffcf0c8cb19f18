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

async function ifeval(...extra: string[]) {
  server = await startScriptedServer({ reply: () => 'A short answer, all in lowercase.' });
  const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
  const result = await evalchemy(
    openaiRun({ baseUrl: server.url, output, tasks: 'ifeval', limit: 20, extra: [...extra] }),
  );
  const metricRows = result.stdout
    .split('\n')
    .filter((line) => /^\| (ifeval)? +\| [\w:]+ +\| [0-9.]/.test(line));
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
