import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Leaderboard } from '../leaderboard.js';
import { type LeaderboardServer, serveLeaderboard } from '../leaderboard-server.js';
import { openLeaderboard } from '../open-leaderboard.js';
import { hostileName, seedRuns } from './server-suite.js';
import { type DriverName, testPlaces } from './test-databases.js';

const chromiumPath = '/usr/bin/chromium';

/** Opens Debian's Chromium headless, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The page tests drive a real Chromium at ${chromiumPath}, which is missing: run tools/services.sh (it installs Debian's chromium).`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The page in real Chromium against the real store on `driverName`. */
export function describePage(driverName: DriverName): void {
  describe(`the leaderboard page in Chromium on ${driverName}`, () => {
    const places = testPlaces(driverName);
    const runs = seedRuns();
    let leaderboard: Leaderboard;
    let server: LeaderboardServer;
    let browser: Browser;
    let page: Page;
    // What the page must never do: run an injected script (a dialog), or have a script or style refused by the CSP.
    let problems: string[] = [];
    // Set EVALCHEMY_PAGE_SCREENSHOTS to a directory to keep a screenshot of each page (for looking at them).
    const screenshots = process.env.EVALCHEMY_PAGE_SCREENSHOTS;
    const screenshot = async (name: string) => {
      if (!screenshots) return;
      await mkdir(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, `${driverName}-${name}.png`), fullPage: true });
    };

    beforeAll(async () => {
      browser = await launchChromium();
      const place = await places.create();
      leaderboard = await openLeaderboard(place.options);
      for (const run of [runs.a, runs.b, runs.other, runs.hostile]) {
        await leaderboard.push({ results: run.results, samples: run.samples, resultsPath: null });
      }
      server = await serveLeaderboard({ leaderboard });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await leaderboard?.close();
      await places.cleanUp();
    });
    beforeEach(async () => {
      problems = [];
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    });
    afterEach(async () => {
      await page.close();
      expect(problems).toEqual([]);
    });

    const modelColumn = () =>
      page.locator('#leaderboard tbody tr:not([hidden]) td:first-child').allInnerTexts();

    it('shows every model with its primary metrics, the best value highlighted, the hostile name as text', async () => {
      await page.goto(`${server.url}/`);
      await expect(page.title()).resolves.toBe('Leaderboard · Evalchemy leaderboard');
      expect((await modelColumn()).sort()).toEqual([hostileName, 'llama-3-8b', 'qwen-2.5-7b'].sort());
      const headers = await page.locator('#leaderboard thead th').allInnerTexts();
      expect(headers.map((text) => text.split('\n')[0])).toEqual([
        'Model',
        'arc_challenge',
        'gsm8k',
        'ifeval',
        'mtbench',
        'Last run',
      ]);
      const qwen = page.locator('#leaderboard tbody tr', { hasText: 'qwen-2.5-7b' });
      await expect(qwen.locator('td').nth(2).innerText()).resolves.toMatch(/^0\.800 ± 0\.05\d$/);
      await expect(qwen.locator('td').nth(2).getAttribute('class')).resolves.toContain('best');
      const llama = page.locator('#leaderboard tbody tr', { hasText: 'llama-3-8b' });
      await expect(llama.locator('td').nth(2).innerText()).resolves.toMatch(/^0\.500 ± /);
      await expect(llama.locator('td').nth(4).innerText()).resolves.toMatch(/^8\.000 ± /);
      await expect(page.locator('img').count()).resolves.toBe(0);
      await expect(page.locator('footer').innerText()).resolves.toMatch(
        driverName === 'pglite' ? /^Database: PGlite in / : /^Database: PostgreSQL at /,
      );
      await screenshot('table');
    });

    it('sorts by a column when its header is clicked, descending first for numbers, then ascending', async () => {
      await page.goto(`${server.url}/`);
      await page.locator('#leaderboard thead th[data-task="gsm8k"] button').click();
      expect(await modelColumn()).toEqual(['qwen-2.5-7b', 'llama-3-8b', hostileName]);
      await expect(
        page.locator('#leaderboard thead th[data-task="gsm8k"]').getAttribute('aria-sort'),
      ).resolves.toBe('descending');
      await page.locator('#leaderboard thead th[data-task="gsm8k"] button').click();
      expect(await modelColumn()).toEqual([hostileName, 'llama-3-8b', 'qwen-2.5-7b']);
      // A model without the task goes last either way.
      await page.locator('#leaderboard thead th[data-task="mtbench"] button').click();
      expect((await modelColumn())[0]).toBe('llama-3-8b');
      await page.locator('#leaderboard thead th', { hasText: 'Model' }).locator('button').click();
      expect(await modelColumn()).toEqual([hostileName, 'llama-3-8b', 'qwen-2.5-7b']);
    });

    it('hides the rows whose model name does not contain what is typed in the filter', async () => {
      await page.goto(`${server.url}/`);
      await page.locator('#filter').fill('QWEN');
      expect(await modelColumn()).toEqual(['qwen-2.5-7b']);
      await page.locator('#filter').fill('llama');
      expect(await modelColumn()).toEqual(['llama-3-8b']);
      await page.locator('#filter').fill('');
      expect((await modelColumn()).length).toBe(3);
    });

    it('opens a run from its value: its metrics and samples, paged by 50', async () => {
      await page.goto(`${server.url}/`);
      await page
        .locator('#leaderboard tbody tr', { hasText: 'llama-3-8b' })
        .locator('td')
        .nth(2)
        .locator('a')
        .click();
      await page.waitForURL(`**/runs/${runs.b.results.run_id}`);
      await expect(page.locator('h1').innerText()).resolves.toBe('llama-3-8b');
      const metrics = await page.locator('#metrics tbody').innerText();
      expect(metrics).toContain('exact_match_flexible');
      expect(metrics).toContain('0.500');
      expect(metrics).toContain('mtbench');
      await expect(page.locator('#config').innerText()).resolves.toContain('"concurrency": 32');
      await expect(page.locator('#sample-range').innerText()).resolves.toBe('Samples 1–20 of 20');
      await page.locator('nav.tabs a', { hasText: 'gsm8k' }).click();
      await expect(page.locator('#sample-range').innerText()).resolves.toBe('Samples 1–50 of 60');
      await expect(page.locator('#samples-table tbody tr').count()).resolves.toBe(50);
      await screenshot('run');
      await page.locator('.pager a', { hasText: 'Next' }).click();
      await expect(page.locator('#sample-range').innerText()).resolves.toBe('Samples 51–60 of 60');
      await expect(page.locator('#samples-table tbody tr').count()).resolves.toBe(10);
      const first = page.locator('#samples-table tbody tr').first();
      await expect(first.locator('td').nth(1).innerText()).resolves.toBe('gsm8k-50');
      await expect(first.locator('td').nth(3).innerText()).resolves.toBe('The answer is 50.');
      await expect(page.locator('.pager a', { hasText: 'Next' }).count()).resolves.toBe(0);
      await page.locator('.pager a', { hasText: 'Previous' }).click();
      await expect(page.locator('#sample-range').innerText()).resolves.toBe('Samples 1–50 of 60');
    });

    it('compares two runs of a model: difference, interval, p-value and a plot of the per-sample differences', async () => {
      await page.goto(`${server.url}/runs/${runs.a.results.run_id}`);
      await page.locator('#compare-links a').first().click();
      await page.waitForURL(`**/compare?a=${runs.a.results.run_id}&b=${runs.b.results.run_id}`);
      const gsm8k = page.locator('#comparison tbody tr[data-task="gsm8k"]');
      await expect(gsm8k.locator('td').nth(2).innerText()).resolves.toBe('60');
      await expect(gsm8k.locator('td.difference').innerText()).resolves.toBe('+0.167');
      await expect(gsm8k.locator('td.difference').getAttribute('class')).resolves.toContain('positive');
      await expect(gsm8k.locator('td.interval').innerText()).resolves.toMatch(/^\[\+0\.\d{3}, \+0\.\d{3}\]$/);
      await expect(gsm8k.locator('td.p-value').innerText()).resolves.toMatch(/^(< 0\.001|0\.00\d)$/);
      const arc = page.locator('#comparison tbody tr[data-task="arc_challenge"]');
      await expect(arc.locator('td.p-value').innerText()).resolves.toBe('1.000');
      const plot = page.locator('svg.difference-plot[data-task="gsm8k"]');
      await expect(plot.isVisible()).resolves.toBe(true);
      await expect(plot.locator('rect').count()).resolves.toBe(2);
      await expect(page.locator('#only-a').innerText()).resolves.toBe('Only in A: ifeval');
      await expect(page.locator('#only-b').innerText()).resolves.toBe('Only in B: mtbench');
      await screenshot('compare');
    });

    it('shows a page saying so for a run that is not there', async () => {
      const response = await page.goto(`${server.url}/runs/00000000-0000-4000-8000-000000000000`);
      expect(response?.status()).toBe(404);
      // Chromium logs the 404 of the document itself, which is what this test asks for.
      problems = problems.filter((problem) => !problem.includes('status of 404'));
      await expect(page.locator('h1').innerText()).resolves.toBe('Not found');
      await page.locator('a', { hasText: 'Back to the leaderboard' }).click();
      await page.waitForURL(`${server.url}/`);
    });
  });
}
