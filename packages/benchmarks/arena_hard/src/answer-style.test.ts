import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerStyle, removeCodeBlocks, tokenLength } from './index.js';

const cases = JSON.parse(
  readFileSync(new URL('./__fixtures__/markdown-cases.json', import.meta.url), 'utf8'),
) as string[];

describe("add_markdown_info.py's conv_metadata", () => {
  it('counts headers, list items and bold spans outside code blocks as the reference does', () => {
    // lmarena/arena-hard-auto@3071ef9 add_markdown_info.py: count_markdown_elements(remove_pattern(text,
    // re.compile("```([^`]*)```")), suffix="") on each case, summed per element (tiktoken stubbed, unused
    // there): reference-check/md.py src/__fixtures__/markdown-cases.json → [[6,7,2],[1,0,1],[0,3,2],[1,2,1]]
    const counts = cases.map((text) => {
      const style = answerStyle(text);
      return [style.headerCount, style.listCount, style.boldCount];
    });
    expect(counts).toEqual([
      [6, 7, 2],
      [1, 0, 1],
      [0, 3, 2],
      [1, 2, 1],
    ]);
  });

  it("removes a code block's contents wherever they occur, keeping the fences", () => {
    expect(removeCodeBlocks('a\n```\nx\n```\nb\nx\nc')).toBe('a\n``````\nbc');
  });

  it('counts cl100k_base tokens, special tokens as plain text', () => {
    // cl100k_base: "hello world" is [15339, 1917] (tiktoken's documented example). The special token's text
    // split into 7 ordinary tokens is js-tiktoken's count: Python's tiktoken is not installable here.
    expect(tokenLength('hello world')).toBe(2);
    expect(tokenLength('<|endoftext|>')).toBe(7);
  });
});
