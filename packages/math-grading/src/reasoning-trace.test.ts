import { describe, expect, it } from 'vitest';
import { extractBoxedAnswer } from './hendrycks-equivalence.js';
import { splitReasoningTrace } from './reasoning-trace.js';

describe('splitReasoningTrace', () => {
  it('grades only the text after </think> and keeps the trace', () => {
    const split = splitReasoningTrace('<think>maybe \\boxed{3}? no.</think>The answer is \\boxed{4}.');
    expect(extractBoxedAnswer(split.answer)).toBe('4');
    expect(split.reasoning).toBe('maybe \\boxed{3}? no.');
  });
  it('handles a trace whose opening tag was in the prompt', () => {
    const split = splitReasoningTrace('thinking...</think>\\boxed{7}');
    expect(split.reasoning).toBe('thinking...');
    expect(extractBoxedAnswer(split.answer)).toBe('7');
  });
  it('leaves no answer when the trace never closed', () => {
    const split = splitReasoningTrace('<think>so far \\boxed{2}');
    expect(split.unfinished).toBe(true);
    expect(extractBoxedAnswer(split.answer)).toBe('');
  });
  it('passes a response without a trace through', () => {
    expect(splitReasoningTrace('\\boxed{1}')).toEqual({
      answer: '\\boxed{1}',
      reasoning: undefined,
      unfinished: false,
    });
  });
});
