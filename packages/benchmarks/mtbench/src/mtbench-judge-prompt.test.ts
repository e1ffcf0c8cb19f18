import { createOfflineDatasetResolver, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { fastChatRequests, readGpt35Answers } from './__fixtures__/stored-answers.js';
import { loadQuestions } from './mtbench-data.js';
import { buildJudgeRequest, formatTemplate } from './mtbench-judge-prompt.js';

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

describe('judge requests', () => {
  it('are byte-identical to the ones FastChat builds for general, reference-graded, first and second turns', async () => {
    const questions = new Map(
      (await loadQuestions(datasets)).map((question) => [question.questionId, question]),
    );
    const answers = await readGpt35Answers(datasets);
    const judgePrompts = new Set(fastChatRequests.requests.map((request) => request.judge_prompt));
    expect(judgePrompts).toEqual(
      new Set(['single-v1', 'single-v1-multi-turn', 'single-math-v1', 'single-math-v1-multi-turn']),
    );
    for (const expected of fastChatRequests.requests) {
      const question = questions.get(expected.question_id)!;
      const request = buildJudgeRequest(
        question,
        answers.get(expected.question_id)!,
        expected.turn === 1 ? 0 : 1,
        2048,
      );
      expect(request.judgePrompt).toBe(expected.judge_prompt);
      expect(request.messages).toEqual(expected.messages);
      expect(request.parameters).toEqual({
        temperature: expected.temperature,
        maxTokens: expected.max_tokens,
      });
    }
  });

  it('show GPT-4 reference answers only to math, reasoning and coding questions', async () => {
    const questions = await loadQuestions(datasets);
    const withReference = questions.filter((question) => question.referenceTurns !== undefined);
    expect(withReference).toHaveLength(30);
    expect(new Set(withReference.map((question) => question.category))).toEqual(
      new Set(['math', 'reasoning', 'coding']),
    );
    const writing = questions.find((question) => question.category === 'writing')!;
    const request = buildJudgeRequest(writing, ['first', 'second'], 1, 2048);
    expect(request.messages[1]!.content).not.toContain('Reference answer');
  });
});

describe('formatTemplate', () => {
  it('inserts values verbatim, even when they hold braces or replacement patterns', () => {
    const filled = formatTemplate('[Q]\n{question}\n[A]\n{answer}', {
      question: 'Write {answer} literally',
      answer: 'const o = {a: 1}; s.replace(x, "$&$1")',
    });
    expect(filled).toBe('[Q]\nWrite {answer} literally\n[A]\nconst o = {a: 1}; s.replace(x, "$&$1")');
  });

  it('turns doubled braces into single ones, as str.format', () => {
    expect(formatTemplate('{{x}} = {x}', { x: '1' })).toBe('{x} = 1');
  });

  it('fails on a field without a value instead of sending a half-filled prompt', () => {
    expect(() => formatTemplate('{question} {ref_answer_1}', { question: 'q' })).toThrow(/ref_answer_1/);
  });
});
