import { pythonStrip } from './wildbench-judge-prompt.js';

/**
 * The judge's answer as Python's `json.loads` reads it, as WildBench's batch formatter and Evalchemy do (no
 * fallback: a judgment that is not one JSON object is dropped). Undefined when it is not a JSON object.
 */
export function parseJudgment(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const pythonFloatLiteral =
  /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/**
 * Python's `float(value)` for the finite cases: a number, a boolean, or a decimal string with surrounding
 * whitespace and digit underscores. Undefined where Python raises (or gives inf/nan).
 */
export function pythonFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = pythonStrip(value);
  if (!pythonFloatLiteral.test(text)) return undefined;
  const number = Number(text.replaceAll('_', ''));
  return Number.isFinite(number) ? number : undefined;
}

/** The 1-10 rating of a score-mode judgment: `float(parsed["score"])`; undefined when there is none. */
export function parseScore(judgment: string): number | undefined {
  const parsed = parseJudgment(judgment);
  if (parsed === undefined || !Object.hasOwn(parsed, 'score')) return undefined;
  return pythonFloat(parsed.score);
}

/** A pairwise choice, as WildBench's batch formatter maps it: who won and by how much (0 tie, 1 slightly, 2 much). */
export interface PairwiseChoice {
  choice: 'A++' | 'A+' | 'A=B' | 'B+' | 'B++';
  winner: 'A' | 'B' | 'tie';
  extent: 0 | 1 | 2;
}

const choices: Readonly<Record<string, Omit<PairwiseChoice, 'choice'>>> = {
  'A=B': { winner: 'tie', extent: 0 },
  'A+': { winner: 'A', extent: 1 },
  'A++': { winner: 'A', extent: 2 },
  'B+': { winner: 'B', extent: 1 },
  'B++': { winner: 'B', extent: 2 },
};

/** The `choice` of a pairwise judgment; undefined when missing or not one of the five. */
export function parseChoice(judgment: string): PairwiseChoice | undefined {
  const parsed = parseJudgment(judgment);
  if (parsed === undefined || !Object.hasOwn(parsed, 'choice')) return undefined;
  const choice = parsed.choice;
  if (typeof choice !== 'string' || !Object.hasOwn(choices, choice)) return undefined;
  return { choice: choice as PairwiseChoice['choice'], ...choices[choice]! };
}
