import type { LeaderboardTable, RunSummary } from '@evalchemy/leaderboard';

/**
 * The leaderboard's main table as Markdown, like the run's results table: one row per model, one column per
 * task with its primary metric ± standard error (the latest run of that model that has the task). A task's
 * header names its metric when every model has the same one; otherwise each cell does.
 */
export function formatLeaderboardTable(table: LeaderboardTable): string {
  const metricOf = new Map<string, string | undefined>();
  for (const task of table.tasks) {
    const metrics = new Set(table.rows.flatMap((row) => (row.cells[task] ? [row.cells[task].metric] : [])));
    metricOf.set(task, metrics.size === 1 ? [...metrics][0] : undefined);
  }
  const header = [
    'Model',
    ...table.tasks.map((task) => (metricOf.get(task) ? `${task} (${metricOf.get(task)})` : task)),
    'Last run',
  ];
  const rows = table.rows.map((row) => [
    row.modelName,
    ...table.tasks.map((task) => {
      const cell = row.cells[task];
      if (cell === undefined) return '';
      const value = cell.value === null ? 'n/a' : formatNumber(cell.value);
      const stderr = cell.stderr === null ? '' : ` ± ${formatNumber(cell.stderr)}`;
      return `${value}${stderr}${metricOf.get(task) === undefined ? ` ${cell.metric}` : ''}`;
    }),
    row.lastRunAt.slice(0, 16).replace('T', ' '),
  ]);
  return markdownTable(header, rows);
}

/** Runs as a Markdown table: id, model, tasks, end time and cost. */
export function formatRunsTable(runs: RunSummary[]): string {
  return markdownTable(
    ['Run', 'Model', 'Tasks', 'End', 'Cost'],
    runs.map((run) => [
      run.runId,
      run.modelName,
      run.tasks.join(','),
      run.end.slice(0, 19).replace('T', ' '),
      run.costUsd === null ? 'unknown' : `$${run.costUsd.toFixed(4)}`,
    ]),
  );
}

/**
 * Evalchemy's CSV export: `model_name`, `model_id`, then one column per `<task>/<metric>` (sorted), one row per
 * model. Values keep their full precision (the shortest text that reads back as the same number); a missing
 * value is empty. Fields are quoted as RFC 4180 says (a comma, quote or line break inside), lines end in CRLF.
 */
export function formatCsv(table: {
  columns: string[];
  rows: { modelId: string; modelName: string; values: Record<string, number | null> }[];
}): string {
  const columns = [...table.columns].sort();
  const lines = [
    ['model_name', 'model_id', ...columns],
    ...table.rows.map((row) => [
      row.modelName,
      row.modelId,
      ...columns.map((column) => {
        const value = row.values[column];
        return value === null || value === undefined ? '' : String(value);
      }),
    ]),
  ];
  return `${lines.map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The text with control characters (line breaks, escape sequences) shown as U+FFFD: a model name is user input,
 * and printed as is it could break a table's lines or send commands to the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

function markdownTable(header: string[], rows: string[][]): string {
  // A model name is user input: a `|` or a line break in it must not break the table's columns.
  const clean = (cell: string) => printable(cell).replaceAll('|', '\\|');
  const all = [header, ...rows].map((row) => row.map(clean));
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  const render = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    render(all[0]!),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...all.slice(1).map(render),
  ].join('\n');
}
