import { describe, expect, it } from 'vitest';
import {
  extractHumanEvalChatCode,
  extractLmEvalCodeBlock,
  extractMbppChatCode,
  truncateAtStopSequences,
} from './code-extraction.js';

const prompt =
  'from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    """ Check if any two numbers are closer than threshold. """\n';

describe('extractHumanEvalChatCode', () => {
  it('takes the function from a fenced reply that repeats it, and keeps the prompt imports', () => {
    const reply =
      'Here is the completed function:\n```python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n```\nThis compares every pair.';
    const code = extractHumanEvalChatCode(reply, prompt);
    expect(code.startsWith('from typing import List\ndef has_close_elements(')).toBe(true);
    expect(code).toContain('    return False\n');
    expect(code).not.toContain('This compares every pair');
  });

  it('puts a body-only reply under the prompt when the model did not repeat the signature', () => {
    const reply =
      '```python\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n```';
    const code = extractHumanEvalChatCode(reply, prompt);
    expect(code).toContain('def has_close_elements(numbers: List[float], threshold: float) -> bool:');
    expect(code).toContain('    return any(');
  });

  it('keeps only the bare signature of a prose reply, as Evalchemy does (the program then fails)', () => {
    const code = extractHumanEvalChatCode('I cannot help with that.', prompt);
    expect(code).toContain('def has_close_elements(');
    expect(code).not.toContain('I cannot help');
  });

  it('falls back to the prompt and the raw reply when the prompt has no function', () => {
    expect(extractHumanEvalChatCode('x = 1', 'print(2)\n')).toBe('print(2)\n\nx = 1');
  });
});

describe('MBPP extraction', () => {
  it('takes the first python block of a chat reply, else the reply', () => {
    expect(
      extractMbppChatCode('Sure!\n```python\ndef f(x):\n    return x\n```\n```python\nprint(1)\n```'),
    ).toBe('def f(x):\n    return x\n');
    expect(extractMbppChatCode('def f(x): return x')).toBe('def f(x): return x');
  });

  it('reads a completion as lm-evaluation-harness does', () => {
    expect(extractLmEvalCodeBlock('def f(x):\n    return x\n')).toBe(
      'from __future__ import annotations\ndef f(x):\n    return x\n',
    );
    expect(extractLmEvalCodeBlock('python\ndef f(x):\n    return x\n```\nmore')).toBe(
      'from __future__ import annotations\ndef f(x):\n    return x',
    );
  });

  it('cuts a completion at the first stop sequence', () => {
    expect(truncateAtStopSequences('    return 1\ndef g():\n    pass\n#x', ['\n#', '\ndef'])).toBe(
      '    return 1',
    );
  });
});
