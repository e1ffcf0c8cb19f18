// Judges as a service, through the built CLI as a user types it: any installed backend as the judge
// (--judge_backend, --judge_args), its model (--annotator_model), judges per task and role in --config.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, sharedModelsDirectory, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, replayMtbenchRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { projectWithJudgedBenchmarks } from './__fixtures__/judged-benchmark-plugin.js';

const stories = join(sharedModelsDirectory(), 'stories260K.gguf');
/** The llamacpp judge on stories260K, as the issue's example has it. */
const storiesJudge = ['--judge_backend', 'llamacpp', '--judge_args', `model=${stories}`];

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(settings: Parameters<typeof startScriptedServer>[0] = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer(settings);
  servers.push(server);
  return server;
}

/** The judged fixture benchmark `graded`: role `grader` (reference judge grader-ref), then `parser` (parser-ref). */
const graded = {
  id: 'graded',
  roles: { grader: { defaultModel: 'grader-ref' }, parser: { defaultModel: 'parser-ref' } },
};

/**
 * `evalchemy run` of the `graded` fixture with the openai backend against `model`, which should echo (its
 * default): each sample's answer then differs, and so does every judge request (none is a cache hit).
 */
function gradedRun(model: ScriptedServer, output: string, extra: string[]): string[] {
  return [
    'run',
    '--model',
    'openai',
    '--model_args',
    `model=m,base_url=${model.url},max_retries=0`,
    '--tasks',
    'graded',
    '--output_path',
    output,
    ...extra,
  ];
}

/** Which judge model each role's requests named: role → models, in arrival order. */
function modelsByRole(judge: ScriptedServer): Record<string, unknown[]> {
  const byRole: Record<string, unknown[]> = {};
  for (const request of judge.requests) {
    const content = (request.body.messages as { content: string }[])[0]!.content;
    const role = content.slice(0, content.indexOf(':'));
    byRole[role] = [...(byRole[role] ?? []), request.body.model];
  }
  return byRole;
}

describe('--judge_backend llamacpp (the judge in-process)', () => {
  it('judges MT-Bench replayed answers with stories260K: every judgment unparsable and counted, exit 0', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-llamacpp-judge-'));
    const result = await evalchemy(
      replayMtbenchRun([...storiesJudge, '--limit', '1', '--output_path', output]),
    );
    expect(result.stderr).toContain('[mtbench] 1/1');
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(output, 'gpt-3.5-turbo');
    expect(results['n-samples']).toEqual({ mtbench: { effective: 1, scored: 1, failed: 0 } });
    expect(results.results).toMatchObject({ mtbench: { judge_parse_failures: 2, judge_errors: 0 } });
    expect(results.config).toMatchObject({
      annotator_model: 'auto',
      judges: { mtbench: { judge: { backend: 'llamacpp', model: stories, args: { model: stories } } } },
    });
    // The model has no chat template: the judge's conversation went to it as plain text, and that is said.
    expect(results.warnings).toMatchObject({ mtbench: { other: 2 } });
    const directory = join(output, 'gpt-3.5-turbo');
    const samples = (await readdir(directory)).find((name) => name.startsWith('samples_mtbench_'))!;
    const record = JSON.parse(await readFile(join(directory, samples), 'utf8'));
    expect(record.details.judge_model).toBe(stories);
    expect(record.warnings).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/sent as plain text/) }),
    );
  });

  it('fails before any generation when a role needs top logprobs, naming the task, the role and the capability', async () => {
    const project = await projectWithJudgedBenchmarks([
      { id: 'logprob_judged', roles: { grader: { defaultModel: 'x', needs: { topLogprobs: 5 } } } },
    ]);
    const model = await serve();
    const result = await evalchemy(
      [
        'run',
        '--model',
        'openai',
        '--model_args',
        `model=m,base_url=${model.url}`,
        '--tasks',
        'logprob_judged',
        '--judge_backend',
        'llamacpp',
        '--judge_args',
        `model=${stories}`,
        '--output_path',
        join(project, 'out'),
      ],
      { cwd: project },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /Task logprob_judged's judge role "grader" needs the top 5 log-probabilities per token \(it gives none\), which judge backend llamacpp/,
    );
    expect(result.stderr).toContain('Nothing was generated');
    expect(model.requestCount).toBe(0);
  });
});

describe('--judge_backend openai with --judge_args and --annotator_model', () => {
  it("sends each role to the judge server named in --judge_args, with the role's reference judge for auto", async () => {
    const project = await projectWithJudgedBenchmarks([graded]);
    const model = await serve();
    const judge = await serve({ reply: () => 'yes' });
    const secret = 'sk-judge-DO-NOT-LEAK-123456';
    const output = join(project, 'out');
    const result = await evalchemy(
      gradedRun(model, output, ['--judge_args', `base_url=${judge.url},api_key=${secret},max_retries=0`]),
      { cwd: project },
    );
    expect(result.exitCode).toBe(0);
    expect(modelsByRole(judge)).toEqual({
      grader: ['grader-ref', 'grader-ref', 'grader-ref'],
      parser: Array(6).fill('parser-ref'),
    });
    expect(judge.requests.every((request) => request.headers.authorization === `Bearer ${secret}`)).toBe(
      true,
    );
    const { results } = await resultsIn(output, 'm');
    expect(results.results).toMatchObject({ graded: { grader: 1, parser: 1 } });
    expect(results.config).toMatchObject({
      judges: {
        graded: {
          grader: {
            backend: 'openai',
            model: 'grader-ref',
            args: { model: 'grader-ref', base_url: judge.url, api_key: '<redacted>', max_retries: '0' },
          },
          parser: { backend: 'openai', model: 'parser-ref' },
        },
      },
    });
    const written = await Promise.all(
      (await readdir(join(output, 'm'))).map((name) => readFile(join(output, 'm', name), 'utf8')),
    );
    expect([result.stdout, result.stderr, ...written].join('\n')).not.toContain(secret);
  });

  it('gives every role the model of --annotator_model', async () => {
    const project = await projectWithJudgedBenchmarks([graded]);
    const model = await serve();
    const judge = await serve({ reply: () => 'yes' });
    const result = await evalchemy(
      gradedRun(model, join(project, 'out'), [
        '--judge_args',
        `base_url=${judge.url}`,
        '--annotator_model',
        'my-judge',
      ]),
      { cwd: project },
    );
    expect(result.exitCode).toBe(0);
    expect(new Set(judge.requests.map((request) => request.body.model))).toEqual(new Set(['my-judge']));
  });

  it('refuses two different judge models, naming both, before any request', async () => {
    const model = await serve();
    const result = await evalchemy(replayMtbenchRun([...storiesJudge, '--annotator_model', 'gpt-4o']));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `The judge of task mtbench, role "judge" is given two models: "gpt-4o" by --annotator_model and "${stories}" by --judge_args (model).`,
    );
    expect(model.requestCount).toBe(0);
  });

  it('reports a malformed --judge_args item as --model_args does, without any value', async () => {
    const result = await evalchemy(
      replayMtbenchRun(['--judge_args', 'base_url=http://127.0.0.1:1/v1,api_key=sk-DO-NOT,LEAK-1234']),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--judge_args: item 3 is not of the form key=value.*follows "api_key="/);
    expect(result.stderr).not.toMatch(/DO-NOT|LEAK/);
  });

  it('rejects an option the judge backend does not know, naming it, the accepted ones, the task and the role', async () => {
    const result = await evalchemy(
      replayMtbenchRun(['--judge_backend', 'llamacpp', '--judge_args', `model=${stories},temprature=0`]),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /--judge_args for judge backend llamacpp \(@evalchemy\/backend-llamacpp\) of task mtbench, role "judge": unknown option "temprature"\. Accepted: model, /,
    );
  });

  it('names --judge_args api_key when the judge server refuses the key, and exits 5', async () => {
    const judge = await serve({ faults: () => ({ kind: 'status', status: 401 }) });
    const secret = 'sk-judge-DO-NOT-LEAK-654321';
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      replayMtbenchRun([
        '--limit',
        '1',
        '--judge_args',
        `base_url=${judge.url},api_key=${secret}`,
        '--output_path',
        output,
      ]),
    );
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toMatch(
      /The judge's server http:\/\/127\.0\.0\.1:\d+\/v1 did not accept the API key from --judge_args api_key/,
    );
    expect(result.stderr).not.toContain(secret);
  });
});

describe('judges in --config', () => {
  it('sets the judge for the run, per task and per role; flags win over the file', async () => {
    const project = await projectWithJudgedBenchmarks([graded]);
    const model = await serve();
    const judge = await serve({ reply: () => 'yes' });
    const parserJudge = await serve({ reply: () => 'yes' });
    const config = join(project, 'run.yaml');
    await writeFile(
      config,
      [
        `judge_args: base_url=${judge.url}`,
        'annotator_model: file-judge',
        'judges:',
        '  Graded:',
        '    model: task-judge',
        '    roles:',
        '      parser:',
        '        model: parser-judge',
        '        args:',
        `          base_url: ${parserJudge.url}`,
        '',
      ].join('\n'),
    );
    const fromFile = await evalchemy(gradedRun(model, join(project, 'a'), ['--config', config]), {
      cwd: project,
    });
    expect(fromFile.exitCode).toBe(0);
    expect(modelsByRole(judge)).toEqual({ grader: Array(3).fill('task-judge') });
    expect(modelsByRole(parserJudge)).toEqual({ parser: Array(6).fill('parser-judge') });
    const { results } = await resultsIn(join(project, 'a'), 'm');
    expect(results.config).toMatchObject({
      annotator_model: 'file-judge',
      judges: {
        graded: {
          grader: { model: 'task-judge', args: { base_url: judge.url } },
          parser: { model: 'parser-judge', args: { base_url: parserJudge.url } },
        },
      },
    });

    const flagged = await evalchemy(
      gradedRun(model, join(project, 'b'), ['--config', config, '--annotator_model', 'flag-judge']),
      { cwd: project },
    );
    expect(flagged.exitCode).toBe(0);
    expect(modelsByRole(judge).grader!.slice(3)).toEqual(Array(3).fill('flag-judge'));
    expect(modelsByRole(parserJudge).parser!.slice(6)).toEqual(Array(6).fill('flag-judge'));
  });

  it('rejects a role the task does not have, naming its roles', async () => {
    const project = await projectWithJudgedBenchmarks([graded]);
    const model = await serve();
    const config = join(project, 'run.yaml');
    await writeFile(config, 'judges:\n  graded:\n    roles:\n      judge:\n        model: x\n');
    const result = await evalchemy(gradedRun(model, join(project, 'out'), ['--config', config]), {
      cwd: project,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'judges.graded.roles.judge in --config: task graded has no judge role "judge" (its roles: grader, parser).',
    );
  });

  it('says when judge flags go unused: no selected task is judged, or --predict_only', async () => {
    const model = await serve({ reply: () => '42' });
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const unjudged = await evalchemy(
      openaiRun({ baseUrl: model.url, output, tasks: 'gsm8k', limit: 1, extra: storiesJudge }),
    );
    expect(unjudged.exitCode).toBe(0);
    expect(unjudged.stderr).toContain(
      '--judge_backend, --judge_args are unused: no selected task (gsm8k) is scored by an LLM judge.',
    );
    const predicted = await evalchemy(
      replayMtbenchRun([
        '--annotator_model',
        'gpt-4o',
        '--predict_only',
        '--limit',
        '1',
        '--output_path',
        output,
      ]),
    );
    expect(predicted.exitCode).toBe(0);
    expect(predicted.stderr).toContain('--annotator_model is unused: --predict_only skips scoring.');
    const auto = await evalchemy(
      replayMtbenchRun([
        '--annotator_model',
        'auto',
        '--predict_only',
        '--limit',
        '1',
        '--output_path',
        output,
      ]),
    );
    expect(auto.stderr).not.toContain('unused');
  });
});
