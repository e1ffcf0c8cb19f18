import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison } from '../compare-runs.js';
import type { Leaderboard, LeaderboardTable, PushOutcome, RunDetail, RunSummary } from '../leaderboard.js';
import { type LeaderboardServer, serveLeaderboard } from '../leaderboard-server.js';
import { openLeaderboard } from '../open-leaderboard.js';
import { pairedBootstrap } from '../paired-bootstrap.js';
import { buildRun } from './run-fixture.js';
import { type DriverName, testPlaces } from './test-databases.js';

export const hostileName = '<img src=x onerror=alert(1)>';
const token = 'test-token-3f9a1c0d-do-not-print';

/** Two runs of one model (gsm8k better in B, arc alike), one of another model, and one of a hostile name. */
export function seedRuns() {
  const scoresA = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const scoresB = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 || i % 4 === 1 ? 1 : 0));
  const arc = Array.from({ length: 20 }, (_, i) => i % 2);
  return {
    a: buildRun({
      model: 'llama-3-8b',
      end: '2026-12-01T10:00:00.000Z',
      tasks: [
        { task: 'gsm8k', scores: scoresA, metric: 'exact_match_flexible' },
        { task: 'arc_challenge', scores: arc, metric: 'acc_norm', kind: 'loglikelihood' },
        { task: 'ifeval', scores: [1, 0, 1], metric: 'prompt_level_strict_acc' },
      ],
    }),
    b: buildRun({
      model: 'llama-3-8b',
      end: '2026-12-02T10:00:00.000Z',
      tasks: [
        { task: 'gsm8k', scores: scoresB, metric: 'exact_match_flexible' },
        { task: 'arc_challenge', scores: arc, metric: 'acc_norm', kind: 'loglikelihood' },
        { task: 'mtbench', scores: [8, 7, 9], metric: 'score', kind: 'chat' },
      ],
    }),
    other: buildRun({
      model: 'qwen-2.5-7b',
      end: '2026-12-02T11:00:00.000Z',
      tasks: [
        {
          task: 'gsm8k',
          scores: Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? 0 : 1)),
          metric: 'exact_match_flexible',
        },
      ],
    }),
    hostile: buildRun({
      model: hostileName,
      end: '2026-12-02T12:00:00.000Z',
      tasks: [{ task: 'gsm8k', scores: [1, 0, 0], metric: 'exact_match_flexible' }],
    }),
    scoresA,
    scoresB,
  };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** The HTTP server and JSON API against the real store on `driverName`, over real HTTP on 127.0.0.1. */
export function describeServer(driverName: DriverName): void {
  describe(`the leaderboard server on ${driverName}`, () => {
    const places = testPlaces(driverName);
    const runs = seedRuns();
    let leaderboard: Leaderboard;
    let server: LeaderboardServer;
    let readOnly: LeaderboardServer;

    const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
      fetch(`${server.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    beforeAll(async () => {
      const place = await places.create();
      leaderboard = await openLeaderboard(place.options);
      server = await serveLeaderboard({ leaderboard, token, port: 0, maxBodyBytes: 2 * 1024 * 1024 });
      readOnly = await serveLeaderboard({ leaderboard });
    });
    afterAll(async () => {
      await server?.close();
      await readOnly?.close();
      await leaderboard?.close();
      await places.cleanUp();
    });

    it('listens on 127.0.0.1 on a free port', () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.toBe(readOnly.url);
    });

    it('refuses every write without a configured token (403), saying to set EVALCHEMY_LEADERBOARD_TOKEN', async () => {
      const response = await fetch(`${readOnly.url}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ results: runs.a.results, samples: runs.a.samples }),
      });
      expect(response.status).toBe(403);
      expect((await json<{ error: string }>(response)).error).toContain('EVALCHEMY_LEADERBOARD_TOKEN');
      expect((await leaderboard.runs()).length).toBe(0);
    });

    it('refuses a missing or wrong token (401) without echoing the token', async () => {
      const missing = await post({ results: runs.a.results }, {});
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await post({ results: runs.a.results }, { authorization: `Bearer ${token}x` });
      expect(wrong.status).toBe(401);
      const prefix = await post(
        { results: runs.a.results },
        { authorization: `Bearer ${token.slice(0, 10)}` },
      );
      expect(prefix.status).toBe(401);
      for (const text of [await missing.text(), await wrong.text(), await prefix.text()]) {
        expect(text).not.toContain(token.slice(0, 10));
      }
      expect((await leaderboard.runs()).length).toBe(0);
    });

    it('adds a run with the right token (201), and the same run again is already there (200)', async () => {
      const first = await post({ results: runs.a.results, samples: runs.a.samples });
      expect(first.status).toBe(201);
      const outcome = await json<PushOutcome>(first);
      expect(outcome).toMatchObject({
        runId: runs.a.results.run_id,
        added: true,
        modelName: 'llama-3-8b',
        tasks: 3,
      });
      expect(outcome.samples).toBe(83);
      const again = await post({ results: runs.a.results, samples: runs.a.samples });
      expect(again.status).toBe(200);
      expect(await json<PushOutcome>(again)).toMatchObject({ runId: runs.a.results.run_id, added: false });
      for (const run of [runs.b, runs.other, runs.hostile]) {
        expect((await post({ results: run.results, samples: run.samples })).status).toBe(201);
      }
      expect((await leaderboard.runs()).length).toBe(4);
    });

    it('refuses an invalid body with 400 naming the first problem', async () => {
      const notJson = await post('{"results": ');
      expect(notJson.status).toBe(400);
      expect((await json<{ error: string }>(notJson)).error).toContain('not JSON');
      const { run_id: _, ...withoutRunId } = runs.a.results;
      const noRunId = await post({ results: withoutRunId });
      expect(noRunId.status).toBe(400);
      expect((await json<{ error: string }>(noRunId)).error).toMatch(/^Invalid body: results\.run_id: /);
      const badSample = await post({
        results: { ...runs.a.results, run_id: randomUUID() },
        samples: { gsm8k: [{ ...runs.a.samples.gsm8k?.[0], index: -1 }] },
      });
      expect(badSample.status).toBe(400);
      expect((await json<{ error: string }>(badSample)).error).toContain('samples.gsm8k.0.index');
      const unknownModel = await post({
        results: { ...runs.a.results, run_id: randomUUID() },
        model: { modelId: randomUUID() },
      });
      expect(unknownModel.status).toBe(400);
      expect((await leaderboard.runs()).length).toBe(4);
    });

    it('refuses a body over the size limit (413)', async () => {
      const huge = await post({ results: runs.a.results, padding: 'x'.repeat(3 * 1024 * 1024) });
      expect(huge.status).toBe(413);
      expect((await json<{ error: string }>(huge)).error).toContain('limit');
    });

    it('serves the main table as JSON: each model with its latest run per task', async () => {
      const table = await json<LeaderboardTable>(await fetch(`${server.url}/api/table`));
      expect(table.tasks).toEqual(['arc_challenge', 'gsm8k', 'ifeval', 'mtbench']);
      const llama = table.rows.find((row) => row.modelName === 'llama-3-8b');
      expect(llama?.cells.gsm8k).toMatchObject({
        runId: runs.b.results.run_id,
        metric: 'exact_match_flexible',
      });
      expect(llama?.cells.gsm8k?.value).toBeCloseTo(runs.scoresB.filter((s) => s === 1).length / 60, 12);
      expect(llama?.cells.ifeval?.runId).toBe(runs.a.results.run_id);
      const filtered = await json<LeaderboardTable>(await fetch(`${server.url}/api/table?model=QWEN`));
      expect(filtered.rows.map((row) => row.modelName)).toEqual(['qwen-2.5-7b']);
    });

    it('lists runs and serves one run and its samples as JSON', async () => {
      const list = await json<RunSummary[]>(await fetch(`${server.url}/api/runs`));
      expect(list.map((run) => run.runId)).toEqual([
        runs.hostile.results.run_id,
        runs.other.results.run_id,
        runs.b.results.run_id,
        runs.a.results.run_id,
      ]);
      const limited = await json<RunSummary[]>(await fetch(`${server.url}/api/runs?limit=1`));
      expect(limited.length).toBe(1);
      const detail = await json<RunDetail>(await fetch(`${server.url}/api/runs/${runs.a.results.run_id}`));
      expect(detail.results).toEqual(runs.a.results);
      const samples = await json<{ total: number; rows: { sampleId: string; score: number }[] }>(
        await fetch(`${server.url}/api/runs/${runs.a.results.run_id}/samples?task=gsm8k&offset=50&limit=50`),
      );
      expect(samples.total).toBe(60);
      expect(samples.rows.map((row) => row.sampleId)).toEqual(
        Array.from({ length: 10 }, (_, i) => `gsm8k-${50 + i}`),
      );
    });

    it('compares two runs: the paired bootstrap over the samples both scored, and tasks only one has', async () => {
      const response = await fetch(
        `${server.url}/api/compare?a=${runs.a.results.run_id}&b=${runs.b.results.run_id}`,
      );
      expect(response.status).toBe(200);
      const comparison = await json<RunComparison>(response);
      expect(comparison.tasks.map((task) => task.task)).toEqual(['arc_challenge', 'gsm8k']);
      expect(comparison.onlyA).toEqual(['ifeval']);
      expect(comparison.onlyB).toEqual(['mtbench']);
      const gsm8k = comparison.tasks.find((task) => task.task === 'gsm8k');
      const expected = pairedBootstrap(
        runs.scoresA.map((a, i) => ({ a, b: runs.scoresB[i] as number })),
        { resamples: 10_000, seed: 0 },
      );
      expect(gsm8k?.bootstrap).toEqual(expected);
      // B scores 1 where A does, and also on 10 of the 60 samples where A scores 0.
      expect(gsm8k?.bootstrap.difference).toBeCloseTo(10 / 60, 12);
      expect(gsm8k?.bootstrap.pValue).toBeLessThan(0.01);
      expect(gsm8k?.bootstrap.interval?.[0]).toBeGreaterThan(0);
      expect(gsm8k?.histogram).toEqual([
        { from: 0, to: 0, count: 50 },
        { from: 1, to: 1, count: 10 },
      ]);
      const arc = comparison.tasks.find((task) => task.task === 'arc_challenge');
      expect(arc?.bootstrap).toMatchObject({ n: 20, difference: 0, pValue: 1 });
    });

    it('escapes a model name on every page: it shows as text, never as markup', async () => {
      const hostileId = runs.hostile.results.run_id;
      const pages = [
        await fetch(`${server.url}/`),
        await fetch(`${server.url}/runs/${hostileId}`),
        await fetch(`${server.url}/compare?a=${runs.a.results.run_id}&b=${hostileId}`),
      ];
      for (const page of pages) {
        expect(page.status).toBe(200);
        const body = await page.text();
        expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
        expect(body).not.toContain('<img');
      }
    });

    it('answers an unknown run, comparison or path with 404', async () => {
      const unknown = randomUUID();
      const page = await fetch(`${server.url}/runs/${unknown}`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain(`No run with id ${unknown}`);
      expect((await fetch(`${server.url}/runs/not-a-run-id`)).status).toBe(404);
      const escaped = await fetch(`${server.url}/runs/${encodeURIComponent('<b>x</b>')}`);
      expect(escaped.status).toBe(404);
      expect(await escaped.text()).not.toContain('<b>x</b>');
      expect((await fetch(`${server.url}/api/runs/${unknown}`)).status).toBe(404);
      expect((await fetch(`${server.url}/compare?a=${runs.a.results.run_id}&b=${unknown}`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/compare?a=${unknown}&b=${runs.a.results.run_id}`)).status).toBe(
        404,
      );
      expect((await fetch(`${server.url}/compare?a=${runs.a.results.run_id}`)).status).toBe(400);
      expect((await fetch(`${server.url}/no/such/page`)).status).toBe(404);
    });

    it('sends a CSP that allows only its own inline script and style by nonce, and no external origin', async () => {
      const response = await fetch(`${server.url}/`);
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/https?:|unsafe-inline|\*/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await response.text();
      expect(body).toContain(`<script nonce="${nonce}">`);
      expect(body).not.toMatch(/<script(?![^>]*nonce)/);
      expect(body).not.toMatch(/(src|href)="https?:/);
      const other = (await fetch(`${server.url}/`)).headers.get('content-security-policy');
      expect(other).not.toBe(csp);
    });

    it('shows where the data is in the footer, without a password, and never the token', async () => {
      const body = await (await fetch(`${server.url}/`)).text();
      if (driverName === 'pglite') {
        expect(leaderboard.location.driver).toBe('pglite');
        expect(body).toContain(
          `PGlite in ${leaderboard.location.driver === 'pglite' ? leaderboard.location.directory : ''}`,
        );
      } else {
        expect(body).toContain('PostgreSQL at ');
        expect(body).not.toContain(':evalchemy@');
      }
      for (const path of ['/', `/runs/${runs.a.results.run_id}`, '/api/table', '/api/runs']) {
        expect(await (await fetch(`${server.url}${path}`)).text()).not.toContain(token);
      }
    });
  });
}
