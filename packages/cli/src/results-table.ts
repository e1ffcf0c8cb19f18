import type { TaskOutcome } from '@evalchemy/runner';

/**
 * A Markdown table of each task's headline metrics (every metric with `showAll`), as lm-evaluation-harness
 * prints one, with the scored and failed samples of each task; a last line says how many metrics only the
 * results file holds.
 */
export function formatResultsTable(outcomes: TaskOutcome[], settings: { showAll: boolean }): string {
  const rows: string[][] = [['Task', 'Metric', 'Value', '± Stderr', 'Samples', 'Failed']];
  let hidden = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') {
      rows.push([outcome.task, 'error', outcome.error ?? 'failed', '', '', '']);
      continue;
    }
    const names = shownMetrics(outcome, settings.showAll);
    hidden += Object.keys(outcome.metrics).length - names.length;
    const samples = [`${outcome.samples.scored}/${outcome.samples.total}`, String(outcome.samples.failed)];
    if (names.length === 0) {
      const why =
        outcome.samples.scored === 0 && outcome.samples.failed > 0 ? '(no sample scored)' : '(predict only)';
      rows.push([outcome.task, why, '', '', ...samples]);
    }
    names.forEach((name, index) => {
      const metric = outcome.metrics[name]!;
      rows.push([
        index === 0 ? outcome.task : '',
        name,
        formatNumber(metric.value),
        metric.stderr === undefined || Number.isNaN(metric.stderr) ? '' : formatNumber(metric.stderr),
        ...(index === 0 ? samples : ['', '']),
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
    ...(hidden > 0
      ? [`(${hidden} more metrics in the results file; --show_all_metrics shows them here.)`]
      : []),
  ].join('\n');
}

/** The headline metrics the run produced, in their declared order; or all of them, primary metric first. */
function shownMetrics(outcome: TaskOutcome, showAll: boolean): string[] {
  if (!showAll) return outcome.headlineMetrics.filter((name) => name in outcome.metrics);
  return Object.keys(outcome.metrics).sort((a, b) =>
    a === outcome.primaryMetric ? -1 : b === outcome.primaryMetric ? 1 : a.localeCompare(b),
  );
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
