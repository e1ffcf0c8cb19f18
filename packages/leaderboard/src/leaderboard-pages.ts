import { isStderrKey, stderrKey } from '@evalchemy/core';
import type { DifferenceBin, RunComparison, TaskComparison } from './compare-runs.js';
import { html, type SafeHtml, trusted } from './html.js';
import type {
  LeaderboardLocation,
  LeaderboardTable,
  RunDetail,
  RunSummary,
  SampleRow,
} from './leaderboard.js';

/*
 * The pages of `evalchemy leaderboard serve`, rendered on the server. No external assets (the page must work
 * offline); the one inline style sheet and script carry the response's CSP nonce.
 */

/** What every page needs besides its body. */
export interface PageContext {
  nonce: string;
  location: LeaderboardLocation;
}

const styles = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --accent: #0969da; --best: #dafbe1; --bad: #cf222e; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header.top { background: #24292f; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; font-size: 16px; }
main { padding: 16px 24px 32px; max-width: 1400px; }
h1 { font-size: 22px; margin: 8px 0 4px; word-break: break-word; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: var(--accent); }
.muted, .sub { color: var(--muted); }
.sub { margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { background: var(--best); font-weight: 600; }
.stderr { color: var(--muted); font-size: 11px; font-weight: 400; }
.metric-name { display: block; color: var(--muted); font-weight: 400; font-size: 11px; }
th button { all: unset; cursor: pointer; display: block; }
th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 10px; }
input[type=search], input[type=text], select { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
input[type=search] { width: 280px; }
button.go { font: inherit; padding: 5px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
pre { background: var(--soft); padding: 10px; border-radius: 6px; overflow: auto; max-height: 420px; font-size: 12px; }
.sample-text { white-space: pre-wrap; word-break: break-word; max-width: 560px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
details.prompt summary { cursor: pointer; }
.error { color: var(--bad); }
.positive { color: var(--good); font-weight: 600; }
.negative { color: var(--bad); font-weight: 600; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 6px; display: inline-block; }
nav.tabs a { margin-right: 12px; }
nav.tabs a.current { font-weight: 700; color: var(--fg); text-decoration: none; }
.pager { margin: 8px 0; display: flex; gap: 16px; align-items: center; }
figure { display: inline-block; margin: 8px 24px 8px 0; }
figcaption { color: var(--muted); font-size: 12px; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding: 10px 24px; }
tr[hidden] { display: none; }
`;

// Sorts the table whose header button was clicked (numbers by data-value, empty cells last) and filters rows of
// tables with data-filter-by by the text box. No external code.
const script = `
document.querySelectorAll('table[data-sortable] thead th button').forEach(function (button) {
  button.addEventListener('click', function () {
    var th = button.closest('th');
    var table = th.closest('table');
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.dataset.type === 'number';
    var descending = th.getAttribute('aria-sort') === 'descending' ? false : th.getAttribute('aria-sort') === 'ascending' ? true : numeric;
    table.querySelectorAll('thead th').forEach(function (other) { other.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var cx = x.cells[index], cy = y.cells[index];
      var vx = cx ? cx.dataset.value : undefined, vy = cy ? cy.dataset.value : undefined;
      if (vx === undefined || vx === '') return vy === undefined || vy === '' ? 0 : 1;
      if (vy === undefined || vy === '') return -1;
      var order = numeric ? Number(vx) - Number(vy) : vx.localeCompare(vy);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
var filter = document.getElementById('filter');
if (filter) {
  var apply = function () {
    var query = filter.value.trim().toLowerCase();
    document.querySelectorAll('table[data-filter-by] tbody tr').forEach(function (row) {
      row.hidden = query !== '' && (row.dataset.model || '').toLowerCase().indexOf(query) === -1;
    });
  };
  filter.addEventListener('input', apply);
  apply();
}
`;

/** Where the data is, for the footer: never a password (`display` has none). */
export function describeLocation(location: LeaderboardLocation): string {
  return location.driver === 'pglite'
    ? `PGlite in ${location.directory}`
    : `PostgreSQL at ${location.display}`;
}

function layout(context: PageContext, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Evalchemy leaderboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style nonce="${context.nonce}">${trusted(styles)}</style>
</head>
<body>
<header class="top"><a href="/">Evalchemy leaderboard</a></header>
<main>
${body}
</main>
<footer>Database: ${describeLocation(context.location)}</footer>
<script nonce="${context.nonce}">${trusted(script)}</script>
</body>
</html>
`.value;
}

/** A metric value: 3 decimals below 10, 2 below 100, else 1; an em dash for none. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3);
}

function formatSigned(value: number | null): string {
  if (value === null) return '—';
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

export function formatPValue(value: number | null): string {
  if (value === null) return '—';
  return value < 0.001 ? '< 0.001' : value.toFixed(3);
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatCost(cost: number | null): string {
  if (cost === null) return '—';
  return cost === 0 ? '$0' : cost < 0.01 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Metrics where a smaller value is better; every other metric (accuracy, pass@k, scores, win rates) is higher-better. */
export function lowerIsBetter(metric: string): boolean {
  return /perplexity|loss|error|bits_per_byte|ppl/i.test(metric);
}

function runLink(runId: string, label?: string): SafeHtml {
  return html`<a href="/runs/${encodeURIComponent(runId)}">${label ?? shortId(runId)}</a>`;
}

function runsTable(runs: RunSummary[]): SafeHtml {
  return html`<table id="runs" data-sortable data-filter-by="model">
<thead><tr><th><button type="button">Run</button></th><th><button type="button">Model</button></th><th><button type="button">Backend</button></th><th><button type="button">Tasks</button></th><th data-type="number" class="num"><button type="button">Cost</button></th><th><button type="button">Ended</button></th></tr></thead>
<tbody>
${runs.map(
  (run) => html`<tr data-model="${run.modelName}">
<td data-value="${run.runId}">${runLink(run.runId)}</td>
<td data-value="${run.modelName}">${run.modelName}</td>
<td data-value="${run.backend}">${run.backend}</td>
<td data-value="${run.tasks.join(', ')}">${run.tasks.join(', ')}</td>
<td class="num" data-value="${run.costUsd ?? ''}">${formatCost(run.costUsd)}</td>
<td data-value="${run.end}">${formatDate(run.end)}</td>
</tr>`,
)}
</tbody>
</table>`;
}

function compareForm(runs: RunSummary[], selectedA?: string): SafeHtml {
  if (runs.length < 2) return html``;
  const options = (selected: string | undefined) =>
    runs.map(
      (run) =>
        html`<option value="${run.runId}"${selected === run.runId ? trusted(' selected') : ''}>${run.modelName} · ${shortId(run.runId)} · ${formatDate(run.end)}</option>`,
    );
  const second = runs.find((run) => run.runId !== selectedA)?.runId;
  return html`<form class="compare" method="get" action="/compare">
<label>A <select name="a">${options(selectedA ?? runs[1]?.runId)}</select></label>
<label>B <select name="b">${options(selectedA === undefined ? runs[0]?.runId : second)}</select></label>
<button class="go" type="submit">Compare</button>
</form>`;
}

/** `GET /`: models × tasks, each cell the task's primary metric ± stderr in the model's latest run with it. */
export function renderTablePage(context: PageContext, table: LeaderboardTable, runs: RunSummary[]): string {
  const metricOf = (task: string) => {
    const counts = new Map<string, number>();
    for (const row of table.rows) {
      const metric = row.cells[task]?.metric;
      if (metric !== undefined) counts.set(metric, (counts.get(metric) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([, x], [, y]) => y - x)[0]?.[0] ?? '';
  };
  const best = new Map<string, number>();
  for (const task of table.tasks) {
    const values = table.rows
      .map((row) => row.cells[task])
      .filter((cell) => cell !== undefined && cell.value !== null && cell.metric === metricOf(task))
      .map((cell) => cell?.value as number);
    if (values.length > 1)
      best.set(task, lowerIsBetter(metricOf(task)) ? Math.min(...values) : Math.max(...values));
  }
  const body =
    table.rows.length === 0
      ? html`<h1>Leaderboard</h1><p class="sub">No runs yet. Push one with <code>evalchemy leaderboard push results_….json</code>, or run with <code>--use_database</code>.</p>`
      : html`<h1>Leaderboard</h1>
<p class="sub">${table.rows.length} ${table.rows.length === 1 ? 'model' : 'models'} × ${table.tasks.length} ${table.tasks.length === 1 ? 'task' : 'tasks'}: each task's primary metric ± its standard error, in the model's latest run of it. Click a header to sort, a value to open its run.</p>
<p><input id="filter" type="search" placeholder="Filter models by name" aria-label="Filter models by name" autocomplete="off"></p>
<table id="leaderboard" data-sortable data-filter-by="model">
<thead><tr><th><button type="button">Model</button></th>${table.tasks.map(
          (task) =>
            html`<th class="num" data-type="number" data-task="${task}"><button type="button">${task}<span class="metric-name">${metricOf(task)}</span></button></th>`,
        )}<th><button type="button">Last run</button></th></tr></thead>
<tbody>
${table.rows.map(
  (row) => html`<tr data-model="${row.modelName}">
<td data-value="${row.modelName}"><strong>${row.modelName}</strong></td>
${table.tasks.map((task) => {
  const cell = row.cells[task];
  if (cell === undefined) return html`<td class="num muted" data-value="">—</td>`;
  const isBest = cell.value !== null && best.get(task) === cell.value && cell.metric === metricOf(task);
  return html`<td class="num${isBest ? ' best' : ''}" data-value="${cell.value ?? ''}" title="${cell.metric}, ${cell.scored} samples scored">${runLink(cell.runId, formatNumber(cell.value))}${cell.stderr === null ? '' : html` <span class="stderr">± ${formatNumber(cell.stderr)}</span>`}${cell.metric === metricOf(task) ? '' : html`<span class="metric-name">${cell.metric}</span>`}</td>`;
})}
<td data-value="${row.lastRunAt}">${formatDate(row.lastRunAt)}</td>
</tr>`,
)}
</tbody>
</table>
<h2>Recent runs</h2>
${compareForm(runs)}
${runsTable(runs)}`;
  return layout(context, 'Leaderboard', body);
}

/** The samples section of a run page: one task's page of samples and the pager. */
export interface SamplesView {
  task: string;
  offset: number;
  limit: number;
  total: number;
  rows: SampleRow[];
}

function samplesSection(run: RunDetail, tasks: string[], view: SamplesView | undefined): SafeHtml {
  if (view === undefined)
    return html`<h2 id="samples">Samples</h2><p class="muted">This run has no tasks.</p>`;
  const base = `/runs/${encodeURIComponent(run.runId)}`;
  const pageLink = (offset: number, label: string) =>
    html`<a href="${base}?task=${encodeURIComponent(view.task)}&amp;offset=${offset}#samples">${label}</a>`;
  const last = Math.min(view.offset + view.rows.length, view.total);
  return html`<h2 id="samples">Samples</h2>
<nav class="tabs">${tasks.map((task) =>
    task === view.task
      ? html`<a class="current" href="${base}?task=${encodeURIComponent(task)}#samples">${task}</a>`
      : html`<a href="${base}?task=${encodeURIComponent(task)}#samples">${task}</a>`,
  )}</nav>
${
  view.total === 0
    ? html`<p class="muted">No samples stored for ${view.task}.</p>`
    : html`<div class="pager"><span id="sample-range">Samples ${view.offset + 1}–${last} of ${view.total}</span>${view.offset > 0 ? pageLink(Math.max(0, view.offset - view.limit), '← Previous') : ''}${last < view.total ? pageLink(view.offset + view.limit, 'Next →') : ''}</div>
<table id="samples-table">
<thead><tr><th class="num">#</th><th>Sample</th><th>Prompt</th><th>Answer</th><th class="num">Score</th></tr></thead>
<tbody>
${view.rows.map(
  (sample) => html`<tr>
<td class="num">${sample.index}</td>
<td>${sample.sampleId}</td>
<td><details class="prompt"><summary>${sample.prompt.length > 90 ? `${sample.prompt.slice(0, 90)}…` : sample.prompt}</summary><div class="sample-text">${sample.prompt}</div></details></td>
<td>${sample.answer === null ? html`<span class="error">${sample.error ?? 'no answer'}</span>` : html`<div class="sample-text">${sample.answer}</div>`}${sample.answer !== null && sample.error !== null ? html`<div class="error">${sample.error}</div>` : ''}</td>
<td class="num">${formatNumber(sample.score)}</td>
</tr>`,
)}
</tbody>
</table>`
}`;
}

/** `GET /runs/:runId`: every metric, configuration, versions, timing, cost, usage and the samples. */
export function renderRunPage(
  context: PageContext,
  run: RunDetail,
  otherRuns: RunSummary[],
  samples: SamplesView | undefined,
): string {
  const results = run.results;
  const tasks = Object.keys(results.tasks).length > 0 ? Object.keys(results.tasks).sort() : run.tasks;
  const allTasks = [
    ...new Set([...tasks, ...Object.keys(results.results), ...Object.keys(results.task_errors)]),
  ].sort();
  const metricRows = allTasks.flatMap((task) => {
    const metrics = results.results[task] ?? {};
    const primary = results.primary_metrics[task];
    // The primary metric first, then the others by name.
    const names = Object.keys(metrics)
      .filter((name) => !isStderrKey(name))
      .sort((x, y) => (x === primary ? -1 : y === primary ? 1 : x.localeCompare(y)));
    const counts = results['n-samples'][task];
    const record = results.tasks[task];
    const taskCost = record
      ? [record.usage.model.cost_usd, record.usage.judge?.cost_usd].reduce<number | null>(
          (sum, cost) => (sum === null || cost === null ? null : sum + (cost ?? 0)),
          0,
        )
      : null;
    const error = results.task_errors[task];
    const failure = results.sample_failures[task];
    const taskCells = html`<td rowspan="${Math.max(1, names.length)}"><strong>${task}</strong>${record ? html`<span class="metric-name">v${record.version} · identity <span title="${record.identity}">${record.identity.slice(0, 12)}</span></span>` : ''}</td>`;
    const countCell = html`<td class="num" rowspan="${Math.max(1, names.length)}">${counts ? `${counts.scored} / ${counts.effective}` : '—'}${counts && counts.failed > 0 ? html`<span class="metric-name error">${counts.failed} failed${failure ? `: ${failure.example}` : ''}</span>` : ''}</td><td class="num" rowspan="${Math.max(1, names.length)}">${formatCost(taskCost)}</td>`;
    if (names.length === 0) {
      return [
        html`<tr>${taskCells}<td colspan="3" class="${error ? 'error' : 'muted'}">${error ?? 'no metrics (predict only)'}</td>${countCell}</tr>`,
      ];
    }
    return names.map(
      (name, i) =>
        html`<tr>${i === 0 ? taskCells : ''}<td>${name}${name === primary ? html` <span class="metric-name">primary</span>` : ''}</td><td class="num">${formatNumber(metrics[name])}</td><td class="num stderr">${formatNumber(metrics[stderrKey(name)])}</td>${i === 0 ? countCell : ''}</tr>`,
    );
  });
  const sameModel = otherRuns.filter((other) => other.runId !== run.runId);
  const usage = results.usage;
  const body = html`<h1>${run.modelName}</h1>
<p class="sub">Run <code>${run.runId}</code> · ${run.backend} · <code>${results.model.model_id}</code></p>
<dl class="facts">
<dt>Started</dt><dd>${formatDate(results.timing.start)}</dd>
<dt>Ended</dt><dd>${formatDate(results.timing.end)} (${results.timing.wall_clock_seconds.toFixed(1)} s)</dd>
<dt>Cost</dt><dd>${formatCost(run.costUsd)}</dd>
<dt>Usage</dt><dd>${usage.requests_sent} requests, ${usage.cache_hits} from cache, ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens</dd>
<dt>Pushed by</dt><dd>${run.createdBy}</dd>
<dt>Git commit</dt><dd>${results.git_hash ?? '—'}</dd>
${results.model.judge ? html`<dt>Judge</dt><dd>${results.model.judge.backend} · ${results.model.judge.model_id}</dd>` : ''}
</dl>
<h2>Metrics</h2>
<table id="metrics">
<thead><tr><th>Task</th><th>Metric</th><th class="num">Value</th><th class="num">Stderr</th><th class="num">Scored / samples</th><th class="num">Cost</th></tr></thead>
<tbody>
${metricRows}
</tbody>
</table>
<h2>Compare</h2>
${
  sameModel.length === 0
    ? html`<p class="muted">No other run of this model yet.</p>`
    : html`<p>With another run of ${run.modelName}:</p><ul id="compare-links">${sameModel.map((other) => {
        const [a, b] = other.end <= run.end ? [other.runId, run.runId] : [run.runId, other.runId];
        return html`<li><a href="/compare?a=${encodeURIComponent(a)}&amp;b=${encodeURIComponent(b)}">${shortId(other.runId)} · ${formatDate(other.end)} · ${other.tasks.join(', ')}</a></li>`;
      })}</ul>`
}
<form method="get" action="/compare"><input type="hidden" name="a" value="${run.runId}"><label>With run id <input type="text" name="b" size="38" placeholder="run id (B)"></label> <button class="go" type="submit">Compare</button></form>
<h2>Configuration</h2>
<pre id="config">${JSON.stringify(results.config, null, 2)}</pre>
<h2>Versions</h2>
<table id="versions"><tbody>${Object.entries(results.versions).map(([name, version]) => html`<tr><td>${name}</td><td>${version}</td></tr>`)}</tbody></table>
<h2>Model and environment</h2>
<pre>${JSON.stringify({ model: results.model, environment: results.environment, seeds: results.seeds, budget: results.budget ?? null }, null, 2)}</pre>
${samplesSection(run, allTasks, samples)}`;
  return layout(context, `${run.modelName} · run ${shortId(run.runId)}`, body);
}

/** Inline SVG: a histogram of the per-sample differences b − a, drawn on the server. */
export function differencePlot(task: string, bins: DifferenceBin[]): SafeHtml {
  const width = 360;
  const height = 150;
  const left = 36;
  const bottom = 28;
  const top = 8;
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - top;
  const highest = Math.max(1, ...bins.map((bin) => bin.count));
  const slot = plotWidth / Math.max(1, bins.length);
  const label = (bin: DifferenceBin) =>
    bin.from === bin.to ? formatSigned(bin.from) : `${formatSigned(bin.from)} to ${formatSigned(bin.to)}`;
  const bars = bins.map((bin, i) => {
    const barHeight = (bin.count / highest) * plotHeight;
    const x = left + i * slot + slot * 0.1;
    const fill = bin.to < 0 ? '#cf222e' : bin.from > 0 ? '#1a7f37' : '#8c959f';
    return html`<rect x="${x.toFixed(1)}" y="${(top + plotHeight - barHeight).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${fill}"><title>${label(bin)}: ${bin.count}</title></rect>`;
  });
  const ticks =
    bins.length <= 7
      ? bins.map(
          (bin, i) =>
            html`<text x="${(left + (i + 0.5) * slot).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle" font-size="10" fill="#656d76">${label(bin)}</text>`,
        )
      : [bins[0], bins[bins.length - 1]].map(
          (bin, i) =>
            html`<text x="${i === 0 ? left : width - 8}" y="${height - bottom + 14}" text-anchor="${i === 0 ? 'start' : 'end'}" font-size="10" fill="#656d76">${bin ? formatSigned(i === 0 ? bin.from : bin.to) : ''}</text>`,
        );
  return html`<svg class="difference-plot" data-task="${task}" role="img" aria-label="Histogram of per-sample differences B − A for ${task}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotHeight}" x2="${width - 8}" y2="${top + plotHeight}" stroke="#8c959f"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#8c959f"/>
<text x="${left - 4}" y="${top + 8}" text-anchor="end" font-size="10" fill="#656d76">${highest}</text>
<text x="${left - 4}" y="${top + plotHeight}" text-anchor="end" font-size="10" fill="#656d76">0</text>
${bars}
${ticks}
<text x="${left + plotWidth / 2}" y="${height - 2}" text-anchor="middle" font-size="10" fill="#656d76">B − A per sample</text>
</svg>`;
}

function differenceClass(task: TaskComparison): string {
  const { interval, difference } = task.bootstrap;
  if (interval === null || difference === null) return '';
  if (interval[0] > 0) return 'positive';
  if (interval[1] < 0) return 'negative';
  return '';
}

/** `GET /compare?a=&b=`: per shared task, B − A with its paired bootstrap interval and p-value, and a plot. */
export function renderComparePage(context: PageContext, comparison: RunComparison): string {
  const { a, b } = comparison;
  const runLine = (letter: string, run: RunSummary) =>
    html`<dt>${letter}</dt><dd>${runLink(run.runId, run.modelName)} · run <code>${shortId(run.runId)}</code> · ${run.backend} · ended ${formatDate(run.end)}</dd>`;
  const body = html`<h1>Compare runs</h1>
<dl class="facts">${runLine('A', a)}${runLine('B', b)}</dl>
<p class="sub">Per task both runs have: the primary metric over the samples both runs scored, the difference B − A with a paired bootstrap 95% interval (percentiles of 10 000 resampled mean differences) and the two-sided p-value of no difference. Green: the interval is above 0; red: below.</p>
${
  comparison.tasks.length === 0
    ? html`<p class="note">The two runs have no task in common.</p>`
    : html`<table id="comparison">
<thead><tr><th>Task</th><th>Metric</th><th class="num">n</th><th class="num">Mean A</th><th class="num">Mean B</th><th class="num">B − A</th><th class="num">95% interval</th><th class="num">p-value</th></tr></thead>
<tbody>
${comparison.tasks.map((task) => {
  const boot = task.bootstrap;
  return html`<tr data-task="${task.task}">
<td><strong>${task.task}</strong>${task.sameIdentity ? '' : html`<span class="metric-name error" title="The task ran with different options, data, limit, seed or judges in the two runs">different settings</span>`}</td>
<td>${task.metric}${task.metricB ? html`<span class="metric-name error">B: ${task.metricB}</span>` : ''}</td>
<td class="num">${boot.n}</td>
${
  boot.n === 0
    ? html`<td colspan="5" class="muted">${boot.note}</td>`
    : html`<td class="num">${formatNumber(boot.meanA)}</td>
<td class="num">${formatNumber(boot.meanB)}</td>
<td class="num difference ${differenceClass(task)}">${formatSigned(boot.difference)}</td>
<td class="num interval">[${formatSigned(boot.interval?.[0] ?? null)}, ${formatSigned(boot.interval?.[1] ?? null)}]</td>
<td class="num p-value">${formatPValue(boot.pValue)}</td>`
}
</tr>`;
})}
</tbody>
</table>
<h2>Per-sample differences</h2>
${comparison.tasks
  .filter((task) => task.histogram.length > 0)
  .map(
    (task) =>
      html`<figure>${differencePlot(task.task, task.histogram)}<figcaption>${task.task}: ${task.bootstrap.n} samples; bars count samples by B − A</figcaption></figure>`,
  )}`
}
${comparison.onlyA.length > 0 ? html`<p id="only-a">Only in A: ${comparison.onlyA.join(', ')}</p>` : ''}
${comparison.onlyB.length > 0 ? html`<p id="only-b">Only in B: ${comparison.onlyB.join(', ')}</p>` : ''}`;
  return layout(context, `Compare ${shortId(a.runId)} and ${shortId(b.runId)}`, body);
}

/** A page for a run, a comparison or a path that is not there (status 404), or a request that is wrong (400). */
export function renderMessagePage(context: PageContext, title: string, message: string): string {
  return layout(
    context,
    title,
    html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the leaderboard</a></p>`,
  );
}

/** The tab icon: a small bar chart. */
export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#24292f"/><rect x="3" y="8" width="2.5" height="5" fill="#8c959f"/><rect x="6.75" y="5" width="2.5" height="8" fill="#1a7f37"/><rect x="10.5" y="3" width="2.5" height="10" fill="#0969da"/></svg>';
