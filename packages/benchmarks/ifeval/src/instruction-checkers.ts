import { detectLanguage, NoLanguageFeaturesError } from './language-detector.js';
import { countSentences, countWords, nltkWordTokenize } from './nltk-tokenizers.js';
import {
  pyFindAll,
  pyIsLower,
  pyIsUpper,
  pyJsonParses,
  pyLength,
  pyLstrip,
  pyRegex,
  pySplitWhitespace,
  pyStrip,
} from './python-text.js';

/**
 * IFEval's 25 instruction checkers (google-research `instruction_following_eval/instructions.py`, as
 * registered in `instructions_registry.py`), each a function of the instruction's arguments and the response.
 */

/** An instruction's arguments, as in the dataset's `kwargs` (only the relevant keys; `null` means absent). */
export type InstructionArguments = Record<string, string | number | string[] | null | undefined>;

/** Checks one response against one instruction; true when the instruction is followed. */
export type InstructionChecker = (response: string, args: InstructionArguments, prompt: string) => boolean;

/** Raised when an instruction's arguments are missing or invalid (upstream would pick a random value). */
export class InstructionArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstructionArgumentError';
  }
}

function numberArgument(args: InstructionArguments, key: string): number {
  const value = args[key];
  if (typeof value !== 'number' || value < 0)
    throw new InstructionArgumentError(`"${key}" must be a number ≥ 0`);
  return value;
}

function stringArgument(args: InstructionArguments, key: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value.length === 0)
    throw new InstructionArgumentError(`"${key}" must be a non-empty string`);
  return value;
}

function stringListArgument(args: InstructionArguments, key: string): string[] {
  const value = args[key];
  if (!Array.isArray(value) || value.length === 0)
    throw new InstructionArgumentError(`"${key}" must be a non-empty list`);
  return value;
}

function relationArgument(args: InstructionArguments, key: string): 'less than' | 'at least' {
  const value = args[key];
  if (value !== 'less than' && value !== 'at least')
    throw new InstructionArgumentError(
      `"${key}" must be "less than" or "at least", got ${JSON.stringify(value)}`,
    );
  return value;
}

function compare(actual: number, relation: 'less than' | 'at least', threshold: number): boolean {
  return relation === 'less than' ? actual < threshold : actual >= threshold;
}

/** Language detection as upstream: a text without features counts as followed. */
function detectedLanguageIs(response: string, language: string): boolean {
  try {
    return detectLanguage(response) === language;
  } catch (error) {
    if (error instanceof NoLanguageFeaturesError) return true;
    throw error;
  }
}

function sortedPython(values: string[]): string[] {
  // Python sorts strings by code point; JavaScript's default sort compares UTF-16 units.
  return [...values].sort((a, b) => {
    const left = Array.from(a, (c) => c.codePointAt(0)!);
    const right = Array.from(b, (c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(left.length, right.length); i++)
      if (left[i] !== right[i]) return left[i]! - right[i]!;
    return left.length - right.length;
  });
}

const checkers: Record<string, InstructionChecker> = {
  'keywords:existence': (response, args) =>
    sortedPython(stringListArgument(args, 'keywords')).every((keyword) =>
      pyRegex(keyword, { ignoreCase: true }).test(response),
    ),

  'keywords:frequency': (response, args) => {
    const keyword = pyStrip(stringArgument(args, 'keyword'));
    const occurrences = pyFindAll(pyRegex(keyword, { ignoreCase: true }), response).length;
    return compare(occurrences, relationArgument(args, 'relation'), numberArgument(args, 'frequency'));
  },

  'keywords:forbidden_words': (response, args) =>
    !sortedPython([...new Set(stringListArgument(args, 'forbidden_words'))]).some((word) =>
      pyRegex(`\\b${word}\\b`, { ignoreCase: true }).test(response),
    ),

  'keywords:letter_frequency': (response, args) => {
    const letter = args.letter;
    if (typeof letter !== 'string' || letter.length === 0 || pyLength(letter) > 1)
      throw new InstructionArgumentError('"letter" must be a single character');
    const target = pyStrip(letter).toLowerCase();
    let count = 0;
    for (const character of response.toLowerCase()) if (character === target) count++;
    return compare(count, relationArgument(args, 'let_relation'), numberArgument(args, 'let_frequency'));
  },

  'language:response_language': (response, args) =>
    detectedLanguageIs(response, stringArgument(args, 'language')),

  'length_constraints:number_sentences': (response, args) =>
    compare(
      countSentences(response),
      relationArgument(args, 'relation'),
      numberArgument(args, 'num_sentences'),
    ),

  'length_constraints:number_paragraphs': (response, args) => {
    const paragraphs = response.split(pyRegex('\\s?\\*\\*\\*\\s?'));
    let count = paragraphs.length;
    for (const [index, paragraph] of paragraphs.entries()) {
      if (pyStrip(paragraph).length === 0) {
        if (index === 0 || index === paragraphs.length - 1) count--;
        else return false;
      }
    }
    return count === numberArgument(args, 'num_paragraphs');
  },

  'length_constraints:number_words': (response, args) =>
    compare(countWords(response), relationArgument(args, 'relation'), numberArgument(args, 'num_words')),

  'length_constraints:nth_paragraph_first_word': (response, args) => {
    const expectedCount = numberArgument(args, 'num_paragraphs');
    const nth = numberArgument(args, 'nth_paragraph');
    if (nth <= 0 || nth > expectedCount)
      throw new InstructionArgumentError('"nth_paragraph" must be in 1..num_paragraphs');
    const expectedWord = stringArgument(args, 'first_word').toLowerCase();
    const paragraphs = response.split('\n\n');
    let count = paragraphs.length;
    for (const paragraph of paragraphs) if (pyStrip(paragraph).length === 0) count--;
    if (nth > count) return false;
    const paragraph = pyStrip(paragraphs[nth - 1]!);
    if (paragraph.length === 0) return false;
    let word = pyStrip(pySplitWhitespace(paragraph)[0]!);
    word = pyLstrip(pyLstrip(word, "'"), '"');
    let firstWord = '';
    for (const letter of word) {
      if ('.,?!\'"'.includes(letter)) break;
      firstWord += letter.toLowerCase();
    }
    return count === expectedCount && firstWord === expectedWord;
  },

  'detectable_content:number_placeholders': (response, args) =>
    pyFindAll(pyRegex('\\[.*?\\]'), response).length >= numberArgument(args, 'num_placeholders'),

  'detectable_content:postscript': (response, args) => {
    const marker = pyStrip(stringArgument(args, 'postscript_marker'));
    const value = response.toLowerCase();
    const pattern =
      marker === 'P.P.S'
        ? '\\s*p\\.\\s?p\\.\\s?s.*$'
        : marker === 'P.S.'
          ? '\\s*p\\.\\s?s\\..*$'
          : `\\s*${marker.toLowerCase()}.*$`;
    return pyRegex(pattern, { multiline: true }).test(value);
  },

  'detectable_format:number_bullet_lists': (response, args) => {
    const stars = pyFindAll(pyRegex('^\\s*\\*[^\\*].*$', { multiline: true }), response).length;
    const dashes = pyFindAll(pyRegex('^\\s*-.*$', { multiline: true }), response).length;
    return stars + dashes === numberArgument(args, 'num_bullets');
  },

  'detectable_format:constrained_response': (response) => {
    const value = pyStrip(response);
    return ['My answer is yes.', 'My answer is no.', 'My answer is maybe.'].some((option) =>
      value.includes(option),
    );
  },

  'detectable_format:number_highlighted_sections': (response, args) => {
    let count = 0;
    for (const highlight of pyFindAll(pyRegex('\\*[^\\n\\*]*\\*'), response))
      if (pyStrip(pyStrip(highlight, '*')).length > 0) count++;
    for (const highlight of pyFindAll(pyRegex('\\*\\*[^\\n\\*]*\\*\\*'), response))
      if (pyStrip(highlight.slice(2, -2)).length > 0) count++;
    return count >= numberArgument(args, 'num_highlights');
  },

  'detectable_format:multiple_sections': (response, args) => {
    const splitter = pyStrip(stringArgument(args, 'section_spliter'));
    const sections = response.split(pyRegex(`\\s?${splitter}\\s?\\d+\\s?`));
    return sections.length - 1 >= numberArgument(args, 'num_sections');
  },

  'detectable_format:json_format': (response) => {
    let value = pyStrip(response);
    for (const prefix of ['```json', '```Json', '```JSON', '```'])
      if (value.startsWith(prefix)) value = value.slice(prefix.length);
    if (value.endsWith('```')) value = value.slice(0, -3);
    return pyJsonParses(pyStrip(value));
  },

  'detectable_format:title': (response) =>
    pyFindAll(pyRegex('<<[^\\n]+>>'), response).some(
      (title) => pyStrip(title.replace(/^<+/, '').replace(/>+$/, '')).length > 0,
    ),

  'combination:two_responses': (response) => {
    const parts = response.split('******');
    const valid: string[] = [];
    for (const [index, part] of parts.entries()) {
      if (pyStrip(part).length === 0) {
        if (index !== 0 && index !== parts.length - 1) return false;
      } else valid.push(part);
    }
    return valid.length === 2 && pyStrip(valid[0]!) !== pyStrip(valid[1]!);
  },

  'combination:repeat_prompt': (response, args) => {
    const prompt = stringArgument(args, 'prompt_to_repeat');
    return pyStrip(response).toLowerCase().startsWith(pyStrip(prompt).toLowerCase());
  },

  'startend:end_checker': (response, args) => {
    const phrase = pyStrip(pyStrip(stringArgument(args, 'end_phrase'))).toLowerCase();
    return pyStrip(pyStrip(response), '"').toLowerCase().endsWith(phrase);
  },

  'change_case:capital_word_frequency': (response, args) => {
    const capitalWords = nltkWordTokenize(response).filter(pyIsUpper).length;
    return compare(
      capitalWords,
      relationArgument(args, 'capital_relation'),
      numberArgument(args, 'capital_frequency'),
    );
  },

  'change_case:english_capital': (response) => pyIsUpper(response) && detectedLanguageIs(response, 'en'),

  'change_case:english_lowercase': (response) => pyIsLower(response) && detectedLanguageIs(response, 'en'),

  'punctuation:no_comma': (response) => !response.includes(','),

  'startend:quotation': (response) => {
    const value = pyStrip(response);
    return pyLength(value) > 1 && value.startsWith('"') && value.endsWith('"');
  },
};

/** The 25 instruction ids IFEval registers, in registry order. */
export const INSTRUCTION_IDS: readonly string[] = Object.keys(checkers);

/** The checker for an instruction id, or undefined for an id IFEval does not register. */
export function instructionChecker(instructionId: string): InstructionChecker | undefined {
  return checkers[instructionId];
}
