// The CLI's run path in-process (flags → configuration → plugins → runEvaluation), where what a run made of
// its judges and how it counted their requests can be looked at: one backend object per distinct judge
// setting, usage kept per task and per role.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvaluation } from '@evalchemy/runner';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { projectWithJudgedBenchmarks } from './__fixtures__/judged-benchmark-plugin.js';
import { parseRunFlags } from './arguments.js';
import { createProgressReporter } from './progress.js';
import { createRunSettings } from './run-command.js';
import { buildRunConfiguration } from './run-configuration.js';
import { loadRunPlugins } from './run-plugins.js';

const roles = { grader: { defaultModel: 'grader-ref' }, parser: { defaultModel: 'parser-ref' } };

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A project with the judged fixtures `graded` and `graded_too`, and an echoing model server. */
async function setup() {
  const project = await projectWithJudgedBenchmarks([
    { id: 'graded', roles },
    { id: 'graded_too', roles },
  ]);
  const model = await startScriptedServer();
  const judge = await startScriptedServer({ reply: () => 'yes' });
  servers.push(model, judge);
  const argv = (extra: string[]) => [
    '--model',
    'openai',
    '--model_args',
    `model=m,base_url=${model.url}`,
    '--tasks',
    'graded,graded_too',
    '--judge_args',
    `base_url=${judge.url}`,
    '--output_path',
    join(project, 'out'),
    ...extra,
  ];
  return { project, model, judge, argv };
}

async function loadInProcess(argv: string[], cwd: string) {
  const configuration = buildRunConfiguration(parseRunFlags(argv), {}, cwd);
  const sink = { write: () => true };
  const reporter = createProgressReporter(sink);
  const env = { EVALCHEMY_CACHE_DIR: await mkdtemp(join(tmpdir(), 'evalchemy-cache-')) };
  const plugins = await loadRunPlugins(configuration, { cwd, env, log: reporter.log });
  const io = { stdout: sink, stderr: sink, env, cwd, signal: new AbortController().signal };
  return { plugins, run: () => runEvaluation(createRunSettings(configuration, plugins, io, reporter)) };
}

describe('judge backends of a run', () => {
  it('are one object per distinct setting, shared by the roles and tasks it serves', async () => {
    const { project, argv } = await setup();
    const auto = (await loadInProcess(argv([]), project)).plugins.judges;
    // With auto, each role has its own reference judge; the two tasks' roles share them.
    expect(auto.graded!.grader).not.toBe(auto.graded!.parser);
    expect(auto.graded_too!.grader).toBe(auto.graded!.grader);
    expect(auto.graded_too!.parser).toBe(auto.graded!.parser);
    const named = (await loadInProcess(argv(['--annotator_model', 'one-judge']), project)).plugins.judges;
    expect(new Set(Object.values(named).flatMap((byRole) => Object.values(byRole))).size).toBe(1);
  });
});

describe('usage of a run', () => {
  it('is counted per task and per role, judge roles sharing one backend included', async () => {
    const { project, model, judge, argv } = await setup();
    const { run } = await loadInProcess(argv(['--annotator_model', 'one-judge']), project);
    const outcome = await run();
    expect(outcome.complete).toBe(true);
    expect(model.requestCount).toBe(3);
    expect(judge.requestCount).toBe(9);
    // The scripted server counts words: the model is asked "Say one" and echoes it; each judge request
    // (`grader: is "Say one" right? (call 0)`) has 7 words, and its answer "yes" one. graded_too asks exactly
    // what graded asked, so all of its answers come from the response cache, with no tokens spent.
    // Neither model has a price: every request sent is an unpriced one.
    const sent = (requests: number, promptWords: number) => ({
      requests,
      cacheHits: 0,
      promptTokens: requests * promptWords,
      completionTokens: requests * (promptWords === 2 ? 2 : 1),
      cachedPromptTokens: 0,
      costUsd: 0,
      unpricedRequests: requests,
    });
    const cached = (cacheHits: number) => ({
      ...sent(0, 0),
      cacheHits,
    });
    expect(outcome.usage).toEqual({
      graded: { model: sent(3, 2), judges: { grader: sent(3, 7), parser: sent(6, 7) } },
      graded_too: { model: cached(3), judges: { grader: cached(3), parser: cached(6) } },
    });
    expect(outcome.requestsSent).toBe(12);
    expect(outcome.cacheHits).toBe(12);
  });
});
