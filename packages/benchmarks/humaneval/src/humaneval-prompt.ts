/** Stop sequences of a completion (lm-evaluation-harness's `humaneval` task). */
export const humanEvalStopSequences: readonly string[] = ['\nclass', '\ndef', '\n#', '\nif', '\nprint'];

/** Evalchemy's instruction for chat models (its DeepSeek-Coder prompt, Python). */
export function humanEvalChatInstruction(prompt: string): string {
  return `Please continue to complete the function. You are not allowed to modify the given code and do the completion only. Please return all completed function in a codeblock. Here is the given code to do completion:\n\`\`\`python\n${prompt.trim()}\n\`\`\``;
}
