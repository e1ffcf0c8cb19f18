import type { TaskOutcome } from '@evalchemy/runner';

/** A Markdown table of every task's metrics (primary metric first), as lm-evaluation-harness prints one. */
export function formatResultsTable(outcomes: TaskOutcome[]): string {
  const rows: string[][] = [['Task', 'Metric', 'Value', '± Stderr', 'Samples']];
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') {
      rows.push([outcome.task, 'error', outcome.error ?? 'failed', '', '']);
      continue;
    }
    const names = Object.keys(outcome.metrics).sort((a, b) =>
      a === outcome.primaryMetric ? -1 : b === outcome.primaryMetric ? 1 : a.localeCompare(b),
    );
    const samples =
      `${outcome.samples.scored}/${outcome.samples.total}` +
      (outcome.samples.failed ? ` (${outcome.samples.failed} failed)` : '');
    if (names.length === 0) rows.push([outcome.task, '(predict only)', '', '', samples]);
    names.forEach((name, index) => {
      const metric = outcome.metrics[name]!;
      rows.push([
        index === 0 ? outcome.task : '',
        name,
        formatNumber(metric.value),
        metric.stderr === undefined || Number.isNaN(metric.stderr) ? '' : formatNumber(metric.stderr),
        index === 0 ? samples : '',
      ]);
    });
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const render = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    render(rows[0]!),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(render),
  ].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
