import { readFileSync } from 'node:fs';
import { PythonRandom } from '@evalchemy/python-random';
import { pyIsUpper } from './python-text.js';

/**
 * A port of Python's `langdetect` (Shuyo's language-detection, Cybozu Labs) with its 55 language profiles:
 * character 1–3-gram naive Bayes with 7 randomized trials. Python's `langdetect` is unseeded unless
 * `DetectorFactory.seed` is set; this port always seeds Python's Mersenne Twister with 0 so that a verdict
 * is reproducible (and equal to Python's with `DetectorFactory.seed = 0`).
 */

/** Raised where Python's `langdetect` raises `LangDetectException` ("No features in text."). */
export class NoLanguageFeaturesError extends Error {
  constructor() {
    super('No features in text.');
    this.name = 'NoLanguageFeaturesError';
  }
}

interface ProfileData {
  blocks: [string, number, number][];
  latin1Excluded: string;
  normalizedViChars: string[];
  toNormalizeViChars: string;
  dmarkClass: string;
  cjkClasses: string[];
  profiles: Record<string, { freq: Record<string, number>; n_words: number[] }>;
}

interface Model {
  languages: string[];
  probabilities: Map<string, Float64Array>;
  blocks: [string, number, number][];
  latin1Excluded: string;
  cjkMap: Map<string, string>;
  vietnamese: RegExp;
  normalizedViChars: string[];
  toNormalizeViChars: string;
  dmarkClass: string;
}

let model: Model | undefined;

function loadModel(): Model {
  if (model) return model;
  const data = JSON.parse(
    readFileSync(new URL('../data/langdetect-profiles.json', import.meta.url), 'utf8'),
  ) as ProfileData;
  const languages = Object.keys(data.profiles);
  const probabilities = new Map<string, Float64Array>();
  languages.forEach((language, index) => {
    const profile = data.profiles[language]!;
    for (const [word, count] of Object.entries(profile.freq)) {
      let row = probabilities.get(word);
      if (!row) {
        row = new Float64Array(languages.length);
        probabilities.set(word, row);
      }
      const length = Array.from(word).length;
      if (length >= 1 && length <= 3) row[index] = count / profile.n_words[length - 1]!;
    }
  });
  const cjkMap = new Map<string, string>();
  for (const group of data.cjkClasses) {
    const characters = Array.from(group);
    for (const character of characters) cjkMap.set(character, characters[0]!);
  }
  const escapeClass = (text: string) => text.replace(/[\\\]^-]/g, '\\$&');
  model = {
    languages,
    probabilities,
    blocks: data.blocks,
    latin1Excluded: data.latin1Excluded,
    cjkMap,
    vietnamese: new RegExp(
      `([${escapeClass(data.toNormalizeViChars)}])([${escapeClass(data.dmarkClass)}])`,
      'gu',
    ),
    normalizedViChars: data.normalizedViChars,
    toNormalizeViChars: data.toNormalizeViChars,
    dmarkClass: data.dmarkClass,
  };
  return model;
}

function unicodeBlock(codePoint: number, blocks: Model['blocks']): string | undefined {
  if (codePoint <= 0x7f) return 'BASIC_LATIN';
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [name, start, end] = blocks[middle]!;
    if (start <= codePoint && codePoint <= end) return name;
    if (codePoint < start) high = middle - 1;
    else low = middle + 1;
  }
  return undefined;
}

function normalize(character: string, m: Model): string {
  const codePoint = character.codePointAt(0)!;
  switch (unicodeBlock(codePoint, m.blocks)) {
    case 'BASIC_LATIN':
      return character < 'A' || (character > 'Z' && character < 'a') || character > 'z' ? ' ' : character;
    case 'LATIN_1_SUPPLEMENT':
      return m.latin1Excluded.includes(character) ? ' ' : character;
    case 'LATIN_EXTENDED_B':
      if (character === '\u0219') return '\u015f';
      if (character === '\u021b') return '\u0163';
      return character;
    case 'GENERAL_PUNCTUATION':
      return ' ';
    case 'ARABIC':
      return character === '\u06cc' ? '\u064a' : character;
    case 'LATIN_EXTENDED_ADDITIONAL':
      return codePoint >= 0x1ea0 ? '\u1ec3' : character;
    case 'HIRAGANA':
      return '\u3042';
    case 'KATAKANA':
      return '\u30a2';
    case 'BOPOMOFO':
    case 'BOPOMOFO_EXTENDED':
      return '\u3105';
    case 'CJK_UNIFIED_IDEOGRAPHS':
      return m.cjkMap.get(character) ?? character;
    case 'HANGUL_SYLLABLES':
      return '\uac00';
    default:
      return character;
  }
}

const URL_PATTERN = /https?:\/\/[-_.?&~;+=/#0-9A-Za-z]{1,2076}/g;
const MAIL_PATTERN = /[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}/g;
const MAX_TEXT_LENGTH = 10000;

function prepareText(input: string, m: Model): string {
  let text = input.replace(URL_PATTERN, ' ').replace(MAIL_PATTERN, ' ');
  text = text.replace(m.vietnamese, (_, alphabet: string, mark: string) => {
    const row = m.normalizedViChars[m.dmarkClass.indexOf(mark)]!;
    return row[m.toNormalizeViChars.indexOf(alphabet)]!;
  });
  const characters = Array.from(text).slice(0, MAX_TEXT_LENGTH);
  let reduced = '';
  let previous = '';
  for (const character of characters) {
    if (character !== ' ' || previous !== ' ') reduced += character;
    previous = character;
  }
  let latin = 0;
  let nonLatin = 0;
  for (const character of reduced) {
    if (character >= 'A' && character <= 'z') latin++;
    else if (
      character >= '\u0300' &&
      unicodeBlock(character.codePointAt(0)!, m.blocks) !== 'LATIN_EXTENDED_ADDITIONAL'
    )
      nonLatin++;
  }
  if (latin * 2 < nonLatin) {
    let withoutLatin = '';
    for (const character of reduced) if (character < 'A' || character > 'z') withoutLatin += character;
    reduced = withoutLatin;
  }
  return reduced;
}

function extractNgrams(text: string, m: Model): string[] {
  const result: string[] = [];
  let grams = [' '];
  let capitalWord = false;
  for (const raw of text) {
    const character = normalize(raw, m);
    const last = grams[grams.length - 1]!;
    let added = true;
    if (last === ' ') {
      grams = [' '];
      capitalWord = false;
      if (character === ' ') added = false;
    } else if (grams.length >= 3) {
      grams = grams.slice(1);
    }
    if (added) {
      grams.push(character);
      if (pyIsUpper(character)) {
        if (pyIsUpper(last)) capitalWord = true;
      } else {
        capitalWord = false;
      }
    }
    if (capitalWord) continue;
    for (let n = 1; n <= 3; n++) {
      if (grams.length < n) break;
      const word = grams.slice(grams.length - n).join('');
      if (word && word !== ' ' && m.probabilities.has(word)) result.push(word);
    }
  }
  return result;
}

/** Probability of each language above 0.1, highest first, as `langdetect.detect_langs`. */
export function detectLanguages(text: string): { language: string; probability: number }[] {
  const m = loadModel();
  const ngrams = extractNgrams(prepareText(text, m), m);
  if (ngrams.length === 0) throw new NoLanguageFeaturesError();
  const count = m.languages.length;
  const total = new Float64Array(count);
  const random = new PythonRandom(0);
  for (let trial = 0; trial < 7; trial++) {
    const probability = new Float64Array(count).fill(1 / count);
    const alpha = 0.5 + random.gauss(0, 1) * 0.05;
    const weight = alpha / 10000;
    for (let iteration = 0; ; iteration++) {
      const row = m.probabilities.get(random.choice(ngrams))!;
      for (let j = 0; j < count; j++) probability[j]! *= weight + row[j]!;
      if (iteration % 5 === 0) {
        let sum = 0;
        for (let j = 0; j < count; j++) sum += probability[j]!;
        let max = 0;
        for (let j = 0; j < count; j++) {
          const p = probability[j]! / sum;
          if (max < p) max = p;
          probability[j] = p;
        }
        if (max > 0.99999 || iteration >= 1000) break;
      }
    }
    for (let j = 0; j < count; j++) total[j]! += probability[j]! / 7;
  }
  return m.languages
    .map((language, index) => ({ language, probability: total[index]! }))
    .filter((entry) => entry.probability > 0.1)
    .sort((a, b) => b.probability - a.probability);
}

/** The most probable language code (`en`, `zh-cn`, …), or `unknown`, as `langdetect.detect`. Throws `NoLanguageFeaturesError`. */
export function detectLanguage(text: string): string {
  return detectLanguages(text)[0]?.language ?? 'unknown';
}
