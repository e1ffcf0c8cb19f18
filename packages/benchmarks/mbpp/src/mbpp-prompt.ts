/** Stop sequence of lm-eval's `mbpp` task. */
export const mbppStopSequences: readonly string[] = ['[DONE]'];

/** One problem as lm-eval's `mbpp` template shows it. */
export interface MbppCompletionExample {
  text: string;
  tests: readonly string[];
  /** The reference code, for an exemplar. */
  code?: string;
}

function lmEvalQuestion(example: MbppCompletionExample): string {
  const [first, second, third] = example.tests;
  return `You are an expert Python programmer, and here is your task: ${example.text} Your code should pass these tests:\n\n${first ?? ''}\n${second ?? ''}\n${third ?? ''}\n[BEGIN]\n`;
}

/**
 * lm-eval's `mbpp` prompt: each exemplar's question, its code and `\n[DONE]`, separated by blank lines, then
 * the problem's question ending in `[BEGIN]\n` (the template shows the first three tests).
 */
export function mbppCompletionPrompt(
  exemplars: readonly MbppCompletionExample[],
  problem: MbppCompletionExample,
): string {
  const shots = exemplars.map((example) => `${lmEvalQuestion(example)}${example.code ?? ''}\n[DONE]\n\n`);
  return `${shots.join('')}${lmEvalQuestion(problem)}`;
}
