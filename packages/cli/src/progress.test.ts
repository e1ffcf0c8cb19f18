import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './progress.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

describe('progress reporting', () => {
  it('redraws one bar with done/total, rate, ETA and failures on a terminal', () => {
    const output = capture(true);
    const reporter = createProgressReporter(output.stream);
    reporter.onEvent({ type: 'task-start', task: 'gsm8k', total: 4 });
    reporter.onEvent({ type: 'sample-end', task: 'gsm8k', done: 1, failed: 0, total: 4 });
    reporter.onEvent({ type: 'sample-end', task: 'gsm8k', done: 2, failed: 1, total: 4 });
    expect(output.text()).toMatch(
      /\r\x1b\[2Kgsm8k \[#{12}-{12}\] 2\/4 {2}[\d.]+\/s {2}ETA \S+ {2}failures 1$/,
    );
    expect(output.text()).not.toContain('\n');
  });

  it('writes plain lines at most every tenth of the task when not on a terminal', () => {
    const output = capture(false);
    const reporter = createProgressReporter(output.stream);
    reporter.onEvent({ type: 'task-start', task: 'ifeval', total: 100 });
    for (let done = 1; done <= 100; done++)
      reporter.onEvent({ type: 'sample-end', task: 'ifeval', done, failed: 0, total: 100 });
    const lines = output.text().trim().split('\n');
    expect(lines[0]).toBe('[ifeval] started: 100 samples');
    expect(lines.slice(1)).toHaveLength(10);
    expect(lines.at(-1)).toMatch(/^\[ifeval\] 100\/100 /);
    expect(output.text()).not.toContain('\x1b');
  });
  it('says in one line when a server refused a request for its rate limit', () => {
    const output = capture(false);
    const reporter = createProgressReporter(output.stream);
    reporter.onEvent({
      type: 'concurrency-change',
      role: 'judge',
      backend: 'openai',
      model: 'gpt-4o-mini',
      previous: 64,
      concurrency: 48,
      waitMs: 1000,
    });
    expect(output.text()).toBe(
      'judge gpt-4o-mini: rate-limited, concurrency 64 -> 48, next request in 1.0s\n',
    );
  });
});
