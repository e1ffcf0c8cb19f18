// `--limit` on lm-eval's mmlu group, through the built CLI on the offline MMLU copy: lm-evaluation-harness
// applies a limit to each of the 57 subject tasks, so `--limit 2` asks 114 questions, two of every subject.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';

let model: ScriptedServer | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

describe('evalchemy run --tasks mmlu --limit', () => {
  it('runs the first questions of every subject, as lm-eval limits each subject task', async () => {
    const subjects = new Map<string, number>();
    model = await startScriptedServer({
      reply: (request) => {
        // The subject is named in the system message (zero-shot chat: lm-eval's description).
        const prompt = request.messages?.[0]?.content ?? '';
        const subject = /multiple choice questions \(with answers\) about (.+?)\.\n/.exec(prompt)?.[1] ?? '?';
        subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
        return 'A';
      },
    });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-mmlu-'));
    const result = await evalchemy(openaiRun({ baseUrl: model.url, output, tasks: 'mmlu', limit: 2 }));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(subjects.size).toBe(57);
    expect([...subjects.values()].every((count) => count === 2)).toBe(true);
    const { results } = await resultsIn(output, 'm');
    expect(results['n-samples'].mmlu).toMatchObject({ effective: 114, scored: 114 });
  }, 120_000);
});
