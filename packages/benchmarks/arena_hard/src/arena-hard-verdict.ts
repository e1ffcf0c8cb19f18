/** A parsed verdict: which assistant of the game is preferred, and how strongly. */
export interface GameVerdict {
  /** The label as the reference keeps it, e.g. `A>>B`. */
  label: string;
  /** `A`, `B` or `tie`; null for a label the reference turns into no battle (`A<B` in v0.1, `AB`). */
  preferred: 'A' | 'B' | 'tie' | null;
  /** 1 for a slight preference or a tie, 2 for a significant one (`>>`, `<<`). */
  strength: 1 | 2;
}

const v01Pattern = /\[\[([AB<>=]+)\]\]/g;
const v20Patterns = [/\[\[([AB<>=]+)\]\]/g, /\[([AB<>=]+)\]/g];

// The battles of v0.1's get_battles_from_row know five labels; v2.0's label_to_score ten.
const v01Labels: Record<string, Omit<GameVerdict, 'label'>> = {
  'A=B': { preferred: 'tie', strength: 1 },
  'A>B': { preferred: 'A', strength: 1 },
  'A>>B': { preferred: 'A', strength: 2 },
  'B>A': { preferred: 'B', strength: 1 },
  'B>>A': { preferred: 'B', strength: 2 },
};
const v20Labels: Record<string, Omit<GameVerdict, 'label'>> = {
  ...v01Labels,
  'A<B': { preferred: 'B', strength: 1 },
  'A<<B': { preferred: 'B', strength: 2 },
  'B=A': { preferred: 'tie', strength: 1 },
  'B<A': { preferred: 'A', strength: 1 },
  'B<<A': { preferred: 'A', strength: 2 },
};

function verdictOf(label: string, labels: Record<string, Omit<GameVerdict, 'label'>>): GameVerdict {
  return { label, ...(Object.hasOwn(labels, label) ? labels[label]! : { preferred: null, strength: 1 }) };
}

/** v0.1 `get_score`: outcome of one look at the (accumulated) judgment. */
export interface V01Score {
  verdict: GameVerdict | null;
  /** No label at all: v0.1 asks the judge to continue (up to two attempts). */
  tryAgain: boolean;
}

/**
 * v0.1's `get_score` (gen_judgment.py @3071ef9): every `[[label]]` in the judgment; none → try again;
 * exactly one distinct label → it; several different labels → no verdict, and no second attempt.
 */
export function parseV01Verdict(judgment: string): V01Score {
  const labels = [...judgment.matchAll(v01Pattern)].map((match) => match[1]!).filter((label) => label !== '');
  const distinct = new Set(labels);
  if (distinct.size === 0) return { verdict: null, tryAgain: true };
  if (distinct.size > 1) return { verdict: null, tryAgain: false };
  return { verdict: verdictOf(labels[0]!.replace(/^\n+|\n+$/g, ''), v01Labels), tryAgain: false };
}

/**
 * v2.0's `get_score` (gen_judgment.py @196f6b8): on the upper-cased judgment, the last `[[label]]`, else
 * the last `[label]`; null when neither occurs.
 */
export function parseV20Verdict(judgment: string): GameVerdict | null {
  const upper = judgment.toUpperCase();
  for (const pattern of v20Patterns) {
    const labels = [...upper.matchAll(pattern)].map((match) => match[1]!).filter((label) => label !== '');
    if (labels.length > 0) return verdictOf(labels.at(-1)!.replace(/^\n+|\n+$/g, ''), v20Labels);
  }
  return null;
}
