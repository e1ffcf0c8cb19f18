import { evalPlusStopSequences } from '@evalchemy/code-eval';

/** Stop sequences of a direct completion (evalplus's EOS list plus its HumanEval extras). */
export const humanEvalPlusStopSequences: readonly string[] = evalPlusStopSequences('humaneval');

/** Evalchemy's HumanEvalPlus instruction for chat models (its DeepSeek-Coder prompt, Python). */
export function humanEvalPlusChatInstruction(prompt: string): string {
  return `Please continue to complete the function. You are not allowed to modify the given code and do the completion only. Please return all completed function in a codeblock. Here is the given code to do completion:\n\`\`\`python\n${prompt.trim()}\n\`\`\``;
}
