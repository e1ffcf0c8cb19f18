/**
 * Getting runnable code out of a model's reply, following the reference harnesses rule for rule (including
 * their quirks, so that scores stay comparable).
 */

/** Cuts `text` at the earliest occurrence of any stop sequence (what a server does with `stop`). */
export function truncateAtStopSequences(text: string, stops: readonly string[]): string {
  let end = text.length;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && index < end) end = index;
  }
  return text.slice(0, end);
}

// Evalchemy's get_code_block: it tests the first and last line only (never the lines it steps over), so a
// reply whose first line is not a fence yields nothing; kept as is because scores depend on it.
function codeBlockLines(reply: string): string {
  const lines = reply.split('\n');
  const first = lines[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  let begin = 0;
  while (!first.trim().startsWith('```') && begin < lines.length - 2) begin += 1;
  begin += 1;
  let end = lines.length;
  while (!last.trim().endsWith('```') && end > 1) end -= 1;
  end -= 1;
  return lines.slice(begin, Math.max(begin, end)).join('\n');
}

function functionSignature(prompt: string): { name: string; prefix: string } {
  const lines = prompt
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  let index = -1;
  lines.forEach((line, i) => {
    if (line.startsWith('def ')) index = i;
  });
  if (index < 0) throw new Error('the prompt has no top-level def');
  return { name: (lines[index] ?? '').split('(')[0]!.trim(), prefix: lines.slice(0, index).join('\n') };
}

/**
 * Evalchemy's HumanEval chat extraction (`extract_generation_code` for Python): take the first ```python block
 * of the reply (wrapping the reply in the prompt when the model did not repeat the function), cut it from the
 * prompt's function `def` on, and put the prompt's preamble (imports, helper functions) before it. Returns a
 * complete solution; on failure, the prompt followed by the raw reply (as Evalchemy does).
 */
export function extractHumanEvalChatCode(reply: string, prompt: string): string {
  const question = prompt.trim();
  try {
    const { name, prefix } = functionSignature(question);
    let output = reply;
    if (!output.includes(name)) output = `\`\`\`Python\n${question}\n${codeBlockLines(output)}\n\`\`\``;
    const match = /```python\n([\s\S]*?)```/i.exec(output);
    if (match === null) throw new Error('no python code block');
    const block = match[1]!;
    let start = block.toLowerCase().indexOf(name.toLowerCase());
    let indent = 4;
    if (start >= 0) {
      indent = 0;
      // Python's negative index wraps to the block's end when the def is at offset 0; mirrored with at().
      while (start - indent >= 0 && block.at(start - indent - 1) === ' ') indent += 1;
    } else {
      start = 0;
    }
    const close = block.lastIndexOf(`\n${' '.repeat(indent)}}`);
    const end = close >= 0 ? close : block.length;
    return `${prefix}\n${block.slice(start, end)}\n`;
  } catch {
    return `${prompt}\n${reply}`;
  }
}

/** Evalchemy's MBPP chat extraction: the first ```python block of the reply, else the whole reply. */
export function extractMbppChatCode(reply: string): string {
  const match = /```python\n([\s\S]*?)```/i.exec(reply);
  return match === null ? reply : match[1]!;
}

/**
 * lm-evaluation-harness's MBPP filter (`extract_code_blocks`): the first fenced block of "```" + text (the
 * harness assumes the reply continues an opened fence), else the text itself, prefixed with
 * `from __future__ import annotations`.
 */
export function extractLmEvalCodeBlock(text: string): string {
  const prefix = 'from __future__ import annotations\n';
  const pattern = /```(?:\w+)?\n?([\s\S]*?)\n?```/;
  let match = pattern.exec(`\`\`\`${text}`);
  if (match === null) match = pattern.exec(text.replaceAll('```python', '```'));
  return prefix + (match === null ? text : match[1]!);
}
