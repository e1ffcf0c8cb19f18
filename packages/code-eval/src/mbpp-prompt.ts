/** One MBPP-style problem as Evalchemy's few-shot prompt shows it. */
export interface MbppPromptExample {
  /** The problem statement. */
  text: string;
  /** Its `assert` lines. */
  tests: readonly string[];
  /** The reference code (shown for the exemplars only). */
  code?: string;
}

/** Evalchemy's `format_test_example`: problem, test cases and, for an exemplar, its code. */
export function formatMbppExample(example: MbppPromptExample): string {
  let text = `>>> Problem:\n${example.text.trim()}\n>>> Test Cases:\n${example.tests.join('\n')}\n`;
  if (example.code) {
    text += `\n>>> Code:\n\`\`\`python\n${example.code.replaceAll('\r', '').replaceAll('\t', '    ')}\n\`\`\``;
  }
  return text;
}

/**
 * Evalchemy's MBPP/MBPP+ chat instruction: the numbered exemplars, then the problem (ending in a newline, as
 * Evalchemy formats it after stripping only its template).
 */
export function mbppChatInstruction(
  exemplars: readonly MbppPromptExample[],
  problem: MbppPromptExample,
): string {
  const shots = exemplars.map((example, index) => `- Example ${index + 1}:\n${formatMbppExample(example)}`);
  return `Please refer the given examples and generate a python function for my problem.\nExamples are listed as follows:\n${shots.join('\n\n')}\n\nHere is my problem:\n${formatMbppExample({ text: problem.text, tests: problem.tests })}`;
}
