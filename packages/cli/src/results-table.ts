import type { JudgeAuditRecordV1 } from '@evalchemy/core';
import { type RequestUsage, type RunOutcome, sumUsage, type TaskOutcome } from '@evalchemy/runner';

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
    const samples = [`${outcome.samples.scored}/${outcome.samples.total}`, String(outcome.samples.failed)];
    // A shard's share of a task can be empty: no metric of it means anything.
    const empty = outcome.samples.total === 0;
    const names = empty ? [] : shownMetrics(outcome, settings.showAll);
    if (!empty) hidden += Object.keys(outcome.metrics).length - names.length;
    if (names.length === 0) {
      const why = empty
        ? '(no samples)'
        : outcome.samples.scored === 0 && outcome.samples.split !== undefined
          ? '(scored by evalchemy merge)'
          : outcome.samples.scored === 0 && outcome.samples.failed > 0
            ? '(no sample scored)'
            : '(predict only)';
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
  // A mean over no values: every sample left the metric out (a judge that never gave a parsable verdict).
  if (Number.isNaN(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/**
 * One line per judge role of each judged task: the judge, its requests, tokens and cost, unparsable verdicts
 * and, for pairwise judging in both orders, position consistency. Empty when nothing was judged.
 */
export function formatJudgeAudit(audit: Record<string, Record<string, JudgeAuditRecordV1>>): string {
  const lines: string[] = [];
  for (const [task, roles] of Object.entries(audit)) {
    for (const [role, judge] of Object.entries(roles)) {
      const tokens = judge.prompt_tokens + judge.completion_tokens;
      const parts = [
        `${judge.requests_sent} requests (${judge.cache_hits} from cache)`,
        `${tokens} tokens`,
        judge.cost_usd === null ? 'cost unknown (no price for this model)' : `$${judge.cost_usd.toFixed(4)}`,
        `${judge.unparsable_verdicts}/${judge.verdicts} verdicts unparsable`,
        ...(judge.position_consistency !== null
          ? [
              `position consistency ${(100 * judge.position_consistency).toFixed(1)}% (${judge.consistent_pairs}/${judge.swapped_pairs} pairs)`,
            ]
          : []),
      ];
      lines.push(`${task} ${role}: ${judge.model_id} via ${judge.backend}: ${parts.join(', ')}`);
    }
  }
  return lines.length > 0 ? `Judges:\n${lines.map((line) => `  ${line}`).join('\n')}` : '';
}

/**
 * One line with what the run's requests cost, the model's and the judges' (sent requests only; cached answers
 * are free), and the budget when there is one. Empty when nothing was sent and there is no budget.
 */
export function formatCost(outcome: Pick<RunOutcome, 'usage' | 'budget'>): string {
  const model = sumUsage(Object.values(outcome.usage).map((task) => task.model));
  const judges = sumUsage(Object.values(outcome.usage).flatMap((task) => Object.values(task.judges)));
  if (model.requests + judges.requests === 0 && outcome.budget === null) return '';
  const dollars = (usage: RequestUsage) =>
    usage.unpricedRequests > 0 ? 'unknown (no price for this model)' : `$${usage.costUsd.toFixed(4)}`;
  const parts = [`model ${dollars(model)}`];
  if (judges.requests > 0) parts.push(`judges ${dollars(judges)}`);
  if (outcome.budget !== null)
    parts.push(`budget $${outcome.budget.max_cost_usd}${outcome.budget.reached ? ' (reached)' : ''}`);
  return `Cost: ${parts.join(', ')}`;
}
