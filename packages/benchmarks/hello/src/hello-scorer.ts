// What a new benchmark changes here: the pure functions that turn one response into per-sample metrics
// (answer extraction, normalisation, comparison). No I/O, so hello-scorer.test.ts can pin them on plain
// strings; when porting a reference implementation, copy its rules exactly and say where they come from.

/**
 * The normalisation applied to the response and to the gold answer before they are compared: runs of
 * whitespace become one space, surrounding whitespace is removed, then one final `.`, then upper case is
 * lowered. `" 5.\n"` matches `5`; `The answer is 5.` does not (exact match extracts nothing).
 */
export function normalizeHelloAnswer(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\.$/, '').toLowerCase();
}

/** The verdict on one response. */
export interface HelloVerdict {
  /** The normalised response: the samples file's `extracted`. */
  extracted: string;
  /** 1 when the normalised response equals the normalised gold answer, else 0. */
  exactMatch: 0 | 1;
}

/** Scores one response against the gold answer by exact match after `normalizeHelloAnswer`. */
export function scoreHelloResponse(response: string, gold: string): HelloVerdict {
  const extracted = normalizeHelloAnswer(response);
  return { extracted, exactMatch: extracted === normalizeHelloAnswer(gold) ? 1 : 0 };
}
