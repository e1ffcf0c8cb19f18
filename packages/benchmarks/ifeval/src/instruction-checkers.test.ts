import { describe, expect, it } from 'vitest';
import { createIfeval } from './ifeval-benchmark.js';
import { instructionChecker } from './instruction-checkers.js';
import { detectLanguage } from './language-detector.js';
import { countSentences, countWords, nltkWordTokenize } from './nltk-tokenizers.js';
import { pyIsUpper, pyStrip } from './python-text.js';

const check = (id: string, response: string, args: Record<string, unknown> = {}) =>
  instructionChecker(id)!(response, args as never, '');

describe('Python text semantics', () => {
  it('strips Python whitespace but keeps U+FEFF, and isupper ignores uncased characters', () => {
    expect(pyStrip('\u001f hi \ufeff')).toBe('hi \ufeff');
    expect(pyIsUpper('PARAGRAPH 1: 2023!')).toBe(true);
    expect(pyIsUpper('123')).toBe(false);
  });
  it('counts \\w+ words with Unicode letters and keeps combining marks inside words as NLTK 3.10 does', () => {
    expect(countWords("Raymond III's reign, 1152–1187.")).toBe(6);
    expect(countWords('नमस्ते')).toBe(1);
  });
});

describe('NLTK tokenizers', () => {
  it('counts Punkt sentences, not splitting after known abbreviations', () => {
    expect(
      countSentences('Mr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3. Then he left! OK?'),
    ).toBe(4);
  });
  it('word_tokenize splits contractions and the final period like NLTK', () => {
    expect(nltkWordTokenize("DON'T stop. U.S.A. is great, isn't it?")).toEqual([
      'DO',
      "N'T",
      'stop',
      '.',
      'U.S.A.',
      'is',
      'great',
      ',',
      'is',
      "n't",
      'it',
      '?',
    ]);
  });
});

describe('language detection', () => {
  it('detects the GPT-4 responses’ languages', () => {
    expect(
      detectLanguage('Hark! Hearken to the tale of thy journey to the land of the rising sun, Japan.'),
    ).toBe('en');
    expect(detectLanguage('Это очень интересная история о путешествии в Японию.')).toBe('ru');
  });
});

describe('instruction checkers on GPT-4 responses', () => {
  it('no_comma fails on a Shakespearean itinerary with commas', () => {
    expect(
      check(
        'punctuation:no_comma',
        'Hark! Hearken to the tale of thy journey to the land of the rising sun, Japan.',
      ),
    ).toBe(false);
    expect(check('punctuation:no_comma', 'Hark! Hearken to the tale')).toBe(true);
  });
  it('placeholders count [..] on one line only', () => {
    expect(
      check('detectable_content:number_placeholders', '[Name]\n[Address]\n[City, State, Zip]', {
        num_placeholders: 3,
      }),
    ).toBe(true);
    expect(check('detectable_content:number_placeholders', '[Name\n]', { num_placeholders: 1 })).toBe(false);
  });
  it('highlights count *single* and **double** markup', () => {
    const text = '*Early Life and Succession*\n\n**Reign**\n\n* *';
    expect(check('detectable_format:number_highlighted_sections', text, { num_highlights: 2 })).toBe(true);
    expect(check('detectable_format:number_highlighted_sections', text, { num_highlights: 3 })).toBe(false);
  });
  it('bullet lists count lines starting with * or -', () => {
    const text =
      "Person A: Well, let's consider a few things:\n\n* This is a formal event.\n* Dressing up can be fun!\n* Finally, it's about setting the right tone.";
    expect(check('detectable_format:number_bullet_lists', text, { num_bullets: 3 })).toBe(true);
    expect(check('detectable_format:number_bullet_lists', `${text}\n- one more`, { num_bullets: 3 })).toBe(
      false,
    );
  });
  it('capital word frequency counts word_tokenize tokens that are upper case', () => {
    const text = 'Excellent COMMUNICATION SKILLS\n- Strong LEADERSHIP abilities';
    expect(
      check('change_case:capital_word_frequency', text, {
        capital_frequency: 3,
        capital_relation: 'at least',
      }),
    ).toBe(true);
    expect(
      check('change_case:capital_word_frequency', text, {
        capital_frequency: 3,
        capital_relation: 'less than',
      }),
    ).toBe(false);
  });
  it('lowercase English passes only without any capital letter', () => {
    expect(check('change_case:english_lowercase', 'what are the two young boys holding?')).toBe(true);
    expect(check('change_case:english_lowercase', 'best,\n[Your Name]')).toBe(false);
  });
  it('json format accepts fenced JSON and Python-only NaN', () => {
    expect(check('detectable_format:json_format', '```json\n{"a": [1, 2]}\n```')).toBe(true);
    expect(check('detectable_format:json_format', '{"a": NaN}')).toBe(true);
    expect(check('detectable_format:json_format', "{'a': 1}")).toBe(false);
  });
  it('letter frequency accepts any single character', () => {
    expect(
      check('keywords:letter_frequency', 'a#b#c#', {
        letter: '#',
        let_frequency: 3,
        let_relation: 'at least',
      }),
    ).toBe(true);
  });
  it('forbidden words use Unicode word boundaries', () => {
    expect(check('keywords:forbidden_words', 'The café opened.', { forbidden_words: ['caf'] })).toBe(true);
    expect(check('keywords:forbidden_words', 'The Café opened.', { forbidden_words: ['café'] })).toBe(false);
  });
  it('sections, paragraphs, postscript, title, quotation and end phrase', () => {
    expect(
      check('detectable_format:multiple_sections', 'SECTION 1\na\nSECTION 2\nb', {
        section_spliter: 'SECTION',
        num_sections: 2,
      }),
    ).toBe(true);
    expect(check('length_constraints:number_paragraphs', 'a\n***\nb\n***\n', { num_paragraphs: 2 })).toBe(
      true,
    );
    expect(check('length_constraints:number_paragraphs', 'a\n***\n***\nb', { num_paragraphs: 2 })).toBe(
      false,
    );
    expect(
      check('detectable_content:postscript', 'Bye.\n\nP.S. See you', { postscript_marker: 'P.S.' }),
    ).toBe(true);
    expect(check('detectable_format:title', '<<Resignation Notice>>\n\nDear Boss,')).toBe(true);
    expect(check('startend:quotation', '"\nRESUME\n"')).toBe(true);
    expect(
      check('startend:end_checker', 'Thanks. Any other questions?"', { end_phrase: 'Any other questions?' }),
    ).toBe(true);
    expect(
      check('length_constraints:nth_paragraph_first_word', 'Intro.\n\n"Weekend plans.', {
        num_paragraphs: 2,
        nth_paragraph: 2,
        first_word: 'weekend',
      }),
    ).toBe(true);
  });
});

describe('IfevalBenchmark', () => {
  it('plans one greedy chat turn with lm-eval’s 1280 tokens and aggregates instruction level as a micro mean', async () => {
    const benchmark = createIfeval();
    const item = {
      key: 7,
      prompt: 'Say hi without commas.',
      instructionIds: ['punctuation:no_comma', 'startend:quotation'],
      kwargs: [{}, {}],
    };
    const options = benchmark.optionsSchema.parse({});
    expect(
      benchmark.doPlan({ id: '7', data: item }, {
        options,
        backend: { capabilities: { chat: true } },
      } as never),
    ).toEqual({
      type: 'chat',
      turns: ['Say hi without commas.'],
      parameters: { temperature: 0, maxTokens: 1280 },
    });
    const score = await benchmark.doScore(
      { id: '7', data: item },
      { type: 'generate', generations: [[{ text: 'hi there', finishReason: 'stop', warnings: [] }]] },
    );
    expect(score.metrics).toMatchObject({ prompt_level_strict_acc: 0, inst_level_strict_acc: 0.5 });
    const single = {
      id: '8',
      metadata: {},
      metrics: { prompt_level_strict_acc: 1, prompt_level_loose_acc: 1 },
      details: { instruction_id_list: ['punctuation:no_comma'], strict: [true], loose: [true] },
    };
    const aggregate = benchmark.doAggregate([{ id: '7', metadata: {}, ...score }, single]);
    expect(aggregate.inst_level_strict_acc).toMatchObject({ value: 2 / 3 });
    expect(aggregate['inst_strict_acc_punctuation:no_comma']).toEqual({ value: 1 });
  });
});
