import { describe, expect, it } from 'vitest';
import { parseKeyValueList, parseRunFlags } from './arguments.js';
import { parseBatchSize, parseGenKwargs, parseLimit, parseSeed, parseVerbosity } from './harness-flags.js';
import { routeModel } from './model-routing.js';

describe('--seed', () => {
  it('takes one value as all four of lm-eval, without a warning for numpy and torch', () => {
    const setting = parseSeed('1234');
    expect(setting.seed).toBe(1234);
    expect(setting.values).toEqual([1234, 1234, 1234, 1234]);
    expect(setting.warnings).toEqual([]);
  });

  it("takes lm-eval's default four values, warning that numpy and torch have nothing to seed", () => {
    const setting = parseSeed('0,1234,1234,1234');
    expect(setting.seed).toBe(0);
    expect(setting.warnings).toHaveLength(1);
    expect(setting.warnings[0]).toMatch(/numpy \(1234\) and torch \(1234\) seeds have no use here/);
  });

  it('fills a missing fourth value with 1234 and reads None as unset', () => {
    const setting = parseSeed('5,None,None');
    expect(setting.values).toEqual([5, null, null, 1234]);
    expect(setting.warnings).toEqual([]);
    expect(parseSeed('None').warnings[0]).toMatch(/uses seed 0/);
  });

  it('warns for a few-shot seed it cannot honour, and refuses two values or a word', () => {
    expect(parseSeed('0,None,None,52').warnings.join(' ')).toMatch(/few-shot seed 52 cannot be honoured/);
    expect(() => parseSeed('1,2')).toThrow(/one value or lm-evaluation-harness's four/);
    expect(() => parseSeed('abc')).toThrow(/--seed must be an integer/);
  });
});

describe('--limit and --batch_size', () => {
  it('takes a count (int() of it) or a share below 1', () => {
    expect(parseLimit('10')).toBe(10);
    expect(parseLimit('2.7')).toBe(2);
    expect(parseLimit('0.25')).toBe(0.25);
    expect(() => parseLimit('0')).toThrow(/--limit must be/);
    expect(() => parseLimit('-1')).toThrow(/--limit must be/);
  });

  it('takes auto and auto:N as the default concurrency', () => {
    expect(parseBatchSize('auto')).toBe('auto');
    expect(parseBatchSize('auto:4')).toBe('auto');
    expect(parseBatchSize('16')).toBe(16);
    expect(() => parseBatchSize('0')).toThrow(/--batch_size must be/);
  });
});

describe('--gen_kwargs', () => {
  it("maps lm-eval's keys onto request settings and warns for the others", () => {
    const { generation, recorded, warnings } = parseGenKwargs(
      'temperature=0.7,top_p=0.95,max_gen_toks=256,until=###,top_k=5',
    );
    expect(generation).toEqual({ temperature: 0.7, topP: 0.95, maxTokens: 256, stop: ['###'] });
    expect(recorded).toEqual({ temperature: 0.7, top_p: 0.95, max_gen_toks: 256, until: '###', top_k: 5 });
    expect(warnings).toEqual([expect.stringMatching(/--gen_kwargs top_k is not supported here/)]);
  });

  it("takes lm-eval 0.4.9's JSON form, with until as a list", () => {
    expect(
      parseGenKwargs('{"temperature":0,"until":["\\n\\n","Question:"],"max_gen_toks":64}').generation,
    ).toEqual({
      temperature: 0,
      stop: ['\n\n', 'Question:'],
      maxTokens: 64,
    });
    expect(() => parseGenKwargs("{'temperature':0}")).toThrow(/not valid JSON/);
  });

  it('reads do_sample=False as greedy unless a temperature is given', () => {
    expect(parseGenKwargs('do_sample=False').generation).toEqual({ temperature: 0 });
    expect(parseGenKwargs('do_sample=false,temperature=0.3').generation).toEqual({ temperature: 0.3 });
  });

  it('refuses a value out of range, naming the key', () => {
    expect(() => parseGenKwargs('temperature=hot')).toThrow(/--gen_kwargs temperature must be a number/);
    expect(() => parseGenKwargs('top_p=1.5')).toThrow(/top_p must be a number in \(0, 1\]/);
  });
});

describe('--model_args as JSON', () => {
  it("takes lm-eval 0.4.9's JSON object, values as text for the backend's schema", () => {
    expect(
      parseKeyValueList(
        '{"pretrained":"org/m","num_concurrent":4,"tokenized_requests":false}',
        '--model_args',
      ),
    ).toEqual({
      pretrained: 'org/m',
      num_concurrent: '4',
      tokenized_requests: 'false',
    });
  });

  it('never shows the text of invalid JSON, which may hold a key', () => {
    const error = (() => {
      try {
        parseKeyValueList('{"api_key": sk-secret-value}', '--model_args');
      } catch (caught) {
        return String(caught);
      }
    })();
    expect(error).toMatch(/--model_args starts with "\{" but is not valid JSON/);
    expect(error).not.toContain('sk-sec');
  });
});

describe('lm-eval flags as parsed', () => {
  it('accepts the short forms and --apply_chat_template with or without a value', () => {
    const flags = parseRunFlags([
      '-m',
      'hf',
      '-t',
      'gsm8k',
      '-a',
      'pretrained=x',
      '-f',
      '5',
      '-b',
      '8',
      '-o',
      'out',
      '-L',
      '0.5',
      '-s',
      '--apply_chat_template',
      '--fewshot_as_multiturn',
    ]);
    expect(flags).toMatchObject({
      model: 'hf',
      tasks: 'gsm8k',
      'model-args': 'pretrained=x',
      'num-fewshot': '5',
      'batch-size': '8',
      'output-path': 'out',
      limit: '0.5',
      'log-samples': true,
      'apply-chat-template': 'True',
      'fewshot-as-multiturn': true,
    });
    expect(parseRunFlags(['--apply_chat_template', 'chatml'])['apply-chat-template']).toBe('chatml');
    expect(parseRunFlags(['--apply_chat_template'])['apply-chat-template']).toBe('True');
    expect(parseRunFlags(['--overwrite-database'])['overwrite-database']).toBe(true);
  });

  it('reads --verbosity in any case', () => {
    expect(parseVerbosity('debug')).toBe('DEBUG');
    expect(() => parseVerbosity('loud')).toThrow(/--verbosity must be one of/);
  });
});

describe('lm-eval model names and --trust_remote_code', () => {
  const source = { name: '--model_args', inConfig: false };
  const harness = (overrides: Partial<Parameters<typeof routeModel>[3] & object> = {}) => {
    const warnings: string[] = [];
    return {
      warnings,
      flags: {
        applyChatTemplate: null,
        trustRemoteCode: false,
        warn: (m: string) => warnings.push(m),
        ...overrides,
      },
    };
  };

  it('routes local-completions to the completions endpoint unless base_url names one', () => {
    const { flags } = harness();
    expect(
      routeModel('local-completions', { values: { model: 'm' }, source }, undefined, flags).args.values,
    ).toEqual({
      model: 'm',
      api: 'completions',
    });
    expect(
      routeModel(
        'local-completions',
        { values: { base_url: 'http://h/v1/chat/completions' }, source },
        undefined,
        flags,
      ).args.values.api,
    ).toBeUndefined();
  });

  it('reads --apply_chat_template False as the completions endpoint where the backend has one, else warns', () => {
    const vllm = harness({ applyChatTemplate: false });
    expect(
      routeModel('vllm', { values: { model: 'x' }, source }, undefined, vllm.flags).args.values.api,
    ).toBe('completions');
    expect(vllm.warnings).toEqual([]);
    const chat = harness({ applyChatTemplate: false });
    expect(
      routeModel('local-chat-completions', { values: { model: 'x' }, source }, undefined, chat.flags).args
        .values.api,
    ).toBe('chat');
    expect(chat.warnings).toEqual([expect.stringMatching(/its chat endpoint gets chat prompts/)]);
    const anthropic = harness({ applyChatTemplate: false });
    routeModel('anthropic', { values: { model: 'x' }, source }, undefined, anthropic.flags);
    expect(anthropic.warnings).toEqual([
      expect.stringMatching(/backend anthropic has no completions endpoint/),
    ]);
  });

  it('gives vllm trust_remote_code and warns for an API backend', () => {
    const vllm = harness({ trustRemoteCode: true });
    expect(
      routeModel('hf', { values: { pretrained: 'x' }, source }, undefined, vllm.flags).args.values,
    ).toEqual({
      pretrained: 'x',
      trust_remote_code: 'true',
    });
    const openai = harness({ trustRemoteCode: true });
    routeModel('openai', { values: { model: 'x' }, source }, undefined, openai.flags);
    expect(openai.warnings).toEqual([
      expect.stringMatching(/--trust_remote_code has no effect with backend openai/),
    ]);
  });
});
