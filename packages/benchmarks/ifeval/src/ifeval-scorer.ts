import { type InstructionArguments, instructionChecker } from './instruction-checkers.js';
import { pyStrip } from './python-text.js';

/** One IFEval prompt: its instructions and their arguments. */
export interface IfevalItem {
  key: number;
  prompt: string;
  instructionIds: string[];
  kwargs: InstructionArguments[];
}

/** Per-instruction verdicts of one response, strict and loose, as google-research's `evaluation_lib`. */
export interface IfevalVerdicts {
  strict: boolean[];
  loose: boolean[];
}

/** The eight variants the loose evaluation tries: first/last/both lines removed, and `*` removed. */
export function looseVariants(response: string): string[] {
  const lines = response.split('\n');
  const withoutFirst = pyStrip(lines.slice(1).join('\n'));
  const withoutLast = pyStrip(lines.slice(0, -1).join('\n'));
  const withoutBoth = pyStrip(lines.slice(1, -1).join('\n'));
  const noStars = (text: string) => text.replaceAll('*', '');
  return [
    response,
    noStars(response),
    withoutFirst,
    withoutLast,
    withoutBoth,
    noStars(withoutFirst),
    noStars(withoutLast),
    noStars(withoutBoth),
  ];
}

/** Scores one response against every instruction of its prompt. Throws on an unknown instruction id. */
export function evaluateResponse(item: IfevalItem, response: string): IfevalVerdicts {
  const variants = looseVariants(response);
  const strict: boolean[] = [];
  const loose: boolean[] = [];
  item.instructionIds.forEach((instructionId, index) => {
    const checker = instructionChecker(instructionId);
    if (!checker) throw new Error(`IFEval: unknown instruction id "${instructionId}" in prompt ${item.key}`);
    const args = Object.fromEntries(
      Object.entries(item.kwargs[index] ?? {}).filter(([, value]) => value !== null && value !== undefined),
    );
    const follows = (text: string) => pyStrip(text).length > 0 && checker(text, args, item.prompt);
    strict.push(follows(response));
    loose.push(variants.some(follows));
  });
  return { strict, loose };
}
