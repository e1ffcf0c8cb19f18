import type { AggregateMetricV1, SampleScoreV1, ScoredSampleV1 } from '@evalchemy/core';
import type { CodeExecutor, EvalPlusTask, ExecuteOptions, TimeLimitSettings } from './code-executor.js';
import { aggregatePassAtK } from './pass-at-k.js';
import { isPassed, type Verdict } from './verdict.js';

/**
 * Stop sequences evalplus gives a base (direct-completion) model: its general EOS list plus the dataset's
 * `extra_eos_for_direct_completion`.
 */
export function evalPlusStopSequences(dataset: 'humaneval' | 'mbpp'): string[] {
  const general = ['<|endoftext|>', '<|endofmask|>', '</s>', '\nif __name__', '\ndef main(', '\nprint('];
  const extra =
    dataset === 'humaneval'
      ? ['\ndef ', '\nclass ', '\nimport ', '\nfrom ', '\nassert ']
      : ['\n"""', '\nassert'];
  return [...general, ...extra];
}

/** evalplus's direct-completion prompt: the task prompt, stripped, with one newline. */
export function evalPlusCompletionPrompt(prompt: string): string {
  return `${prompt.trim()}\n`;
}

/**
 * The solution evalplus tests for a direct completion: prompt + completion, tabs as four spaces (its vLLM and
 * HF decoders replace them). evalplus then runs its tree-sitter `sanitize`, which is not reproduced here.
 */
export function evalPlusCompletionSolution(prompt: string, completion: string): string {
  return evalPlusCompletionPrompt(prompt) + completion.replaceAll('\t', '    ');
}

/**
 * Runs evalplus's differential testing on the solutions of one task and scores them as evalplus does: a
 * solution counts for `base` when it passes the original tests and for `plus` when it passes both the original
 * and the added tests. `pass@1` is the plus score (the headline of HumanEval+ / MBPP+).
 *
 * `details.verdicts` holds one verdict per solution: the base verdict when base failed, else the plus verdict
 * (prefixed `plus ` when it is a failure, so that a reader sees which tests failed).
 */
export async function scoreEvalPlusSolutions(
  executor: CodeExecutor,
  task: EvalPlusTask,
  solutions: readonly string[],
  options: ExecuteOptions & TimeLimitSettings,
): Promise<SampleScoreV1> {
  const outcomes = await executor.checkEvalPlus(task, solutions, { ...options, plus: true });
  const correctBase = outcomes.filter((outcome) => isPassed(outcome.base)).length;
  const correct = outcomes.filter((outcome) => isPassed(outcome.base) && isPassed(outcome.plus)).length;
  const n = Math.max(1, outcomes.length);
  const verdicts = outcomes.map((outcome): Verdict => {
    if (!isPassed(outcome.base) || outcome.plus === null) return outcome.base;
    if (outcome.plus.startsWith('failed: ')) return `failed: plus ${outcome.plus.slice('failed: '.length)}`;
    return outcome.plus;
  });
  return {
    metrics: { 'pass@1': correct / n, 'pass@1_base': correctBase / n, 'pass@1_plus': correct / n },
    extracted: solutions,
    details: {
      n: outcomes.length,
      correct,
      correctBase,
      verdicts,
      baseVerdicts: outcomes.map((outcome) => outcome.base),
      plusVerdicts: outcomes.map((outcome) => outcome.plus),
    },
  };
}

/**
 * evalplus's corpus scores from samples scored by `scoreEvalPlusSolutions`: `pass@k` and `pass@k_plus` (base and
 * added tests), `pass@k_base` (original tests only), for every k no problem has fewer samples than.
 */
export function aggregateEvalPlus(
  samples: readonly ScoredSampleV1[],
  ks: readonly number[],
): Record<string, AggregateMetricV1> {
  return {
    ...aggregatePassAtK(samples, { ks, countKey: 'correct' }),
    ...aggregatePassAtK(samples, { ks, countKey: 'correctBase', suffix: '_base' }),
    ...aggregatePassAtK(samples, { ks, countKey: 'correct', suffix: '_plus' }),
  };
}
