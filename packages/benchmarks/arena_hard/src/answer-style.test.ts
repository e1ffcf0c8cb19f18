import { readFileSync } from 'node:fs';
import { createOfflineDatasetResolver, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { answerStyle, arenaHardV01, loadQuestions, removeCodeBlocks, tokenLength } from './index.js';

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

// gpt-4-0314-token-len.json: `token_len` of each gpt-4-0314 answer as arena-hard-auto stored it (tiktoken
// cl100k_base, gen_answer.py) in data/arena-hard-v0.1/model_answer/gpt-4-0314.jsonl at lmarena/arena-hard-auto
// @3071ef9 (file last changed in e0a8ea1), keyed by question_id; the answers' text equals the offline file's.
const stored = JSON.parse(
  readFileSync(new URL('./__fixtures__/gpt-4-0314-token-len.json', import.meta.url), 'utf8'),
) as Record<string, number>;

it("counts the baseline answers' tokens as the reference stored them, and its leaderboard's avg_tokens", async () => {
  const questions = await loadQuestions(
    createOfflineDatasetResolver(sharedDatasetsDirectory()),
    arenaHardV01,
    0,
  );
  const lengths = questions.map((question) => tokenLength(question.baselineAnswer));
  const mismatches = questions.filter((question, index) => lengths[index] !== stored[question.uid]);
  expect(mismatches.map((question) => question.uid)).toEqual([]);
  // leaderboard/arena_hard_leaderboard_20240731.csv: gpt-4-0314,50.0,50.0,50.0,"(-0.00, +0.00)",423.0
  expect(Math.trunc(lengths.reduce((sum, length) => sum + length, 0) / lengths.length)).toBe(423);
});
