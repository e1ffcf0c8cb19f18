import { PythonRandom } from '@evalchemy/python-random';

/** lm-evaluation-harness's default few-shot seed (`simple_evaluate(fewshot_random_seed=1234)`, `--seed`'s 4th value). */
export const lmEvalFewshotSeed = 1234;

/**
 * The train rows lm-eval puts before each test document, by index into the train split. lm-eval seeds one
 * `random.Random(fewshot_seed)` per task (`Task.set_fewshot_seed`), then builds the requests of the test
 * documents in order, each drawing `rnd.sample(train_docs, num_fewshot)` (the default `ContextSampler`; the
 * test document cannot be among them, the splits differ). Document i's exemplars therefore depend on the draws
 * for documents 0..i-1: they are computed here for the whole test split at once, in order.
 */
export function gsm8kFewshotIndices(
  trainSize: number,
  testSize: number,
  numFewshot: number,
  seed: number = lmEvalFewshotSeed,
): number[][] {
  if (numFewshot === 0) return Array.from({ length: testSize }, () => []);
  const random = new PythonRandom(seed);
  const population = Array.from({ length: trainSize }, (_, index) => index);
  return Array.from({ length: testSize }, () => random.sample(population, numFewshot));
}
