import type { PluginKind } from '@evalchemy/core';

/**
 * The plugins published as `@evalchemy/<kind>-<id>` packages, with the names the CLI accepts for them, so that
 * the hint for one that is not installed names its real package (`MT-Bench` → `@evalchemy/benchmark-mtbench`).
 * A meta test keeps it equal to the plugin packages of this repository.
 */
export const knownPlugins: readonly { kind: PluginKind; id: string; aliases: readonly string[] }[] = [
  { kind: 'backend', id: 'anthropic', aliases: ['claude'] },
  { kind: 'backend', id: 'gemini', aliases: ['google'] },
  { kind: 'backend', id: 'llamacpp', aliases: ['llama.cpp', 'gguf'] },
  {
    kind: 'backend',
    id: 'openai',
    aliases: ['openai-chat-completions', 'openai-completions', 'local-chat-completions', 'local-completions'],
  },
  { kind: 'backend', id: 'replay', aliases: [] },
  { kind: 'backend', id: 'vllm', aliases: ['hf'] },
  { kind: 'benchmark', id: 'aime24', aliases: ['AIME24'] },
  { kind: 'benchmark', id: 'aime25', aliases: ['AIME25'] },
  { kind: 'benchmark', id: 'alpaca_eval', aliases: ['AlpacaEval', 'alpacaeval'] },
  { kind: 'benchmark', id: 'amc23', aliases: ['AMC23'] },
  { kind: 'benchmark', id: 'arc_challenge', aliases: ['ARC', 'ARC-Challenge', 'arc'] },
  { kind: 'benchmark', id: 'arc_easy', aliases: ['ARC-Easy'] },
  {
    kind: 'benchmark',
    id: 'arena_hard',
    aliases: ['ArenaHard', 'arena-hard', 'arena_hard_auto', 'ArenaHardAuto'],
  },
  { kind: 'benchmark', id: 'drop', aliases: ['DROP'] },
  { kind: 'benchmark', id: 'gpqa_diamond', aliases: ['GPQADiamond', 'gpqa-diamond'] },
  { kind: 'benchmark', id: 'gsm8k', aliases: ['GSM8K', 'gsm8k_cot'] },
  { kind: 'benchmark', id: 'hendrycks_math', aliases: [] },
  { kind: 'benchmark', id: 'humaneval', aliases: ['HumanEval'] },
  { kind: 'benchmark', id: 'humanevalplus', aliases: ['HumanEvalPlus'] },
  { kind: 'benchmark', id: 'ifeval', aliases: ['IFEval'] },
  { kind: 'benchmark', id: 'math500', aliases: ['MATH500'] },
  { kind: 'benchmark', id: 'mbpp', aliases: ['MBPP'] },
  { kind: 'benchmark', id: 'mbppplus', aliases: ['MBPPPlus'] },
  { kind: 'benchmark', id: 'mixeval', aliases: ['MixEval'] },
  { kind: 'benchmark', id: 'mixeval_hard', aliases: ['MixEval_Hard'] },
  { kind: 'benchmark', id: 'mmlu', aliases: ['MMLU'] },
  { kind: 'benchmark', id: 'mtbench', aliases: ['MTBench', 'mt_bench', 'mt-bench'] },
  { kind: 'benchmark', id: 'wildbench', aliases: ['WildBench', 'wild_bench'] },
  { kind: 'sandbox', id: 'docker', aliases: [] },
  { kind: 'sandbox', id: 'process', aliases: ['bwrap', 'bubblewrap', 'local'] },
];

/**
 * The benchmark tags of the published packages (their manifests' `tags`), with every benchmark id carrying each,
 * so that a tag whose members are not all installed names the packages to install. A meta test keeps it equal
 * to the manifests of this repository.
 */
export const knownTags: Readonly<Record<string, readonly string[]>> = {
  ai2_arc: ['arc_challenge', 'arc_easy'],
};

/**
 * Upstream task names that are a part of one of our benchmarks rather than a benchmark (lm-eval's
 * `hendrycks_math_algebra` is a subject of `hendrycks_math`), with the option that selects them, so that the CLI
 * says how to run them instead of "no such benchmark".
 */
export const knownSubtasks: Readonly<Record<string, { benchmark: string; option: string }>> =
  Object.fromEntries(
    [
      'hendrycks_math_algebra',
      'hendrycks_math_counting_and_prob',
      'hendrycks_math_geometry',
      'hendrycks_math_intermediate_algebra',
      'hendrycks_math_num_theory',
      'hendrycks_math_prealgebra',
      'hendrycks_math_precalc',
    ].map((task) => [task, { benchmark: 'hendrycks_math', option: 'subjects' }]),
  );
