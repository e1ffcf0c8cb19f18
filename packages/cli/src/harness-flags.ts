import { ConfigurationError } from '@evalchemy/core';
import { flagName, ignoredFlags, parseJsonObject, parseKeyValueList, type RunFlags } from './arguments.js';

/**
 * lm-evaluation-harness's flags (0.4.x `lm_eval/__main__.py`) as this CLI honours them. Each parser returns
 * what the run uses and the warnings for what it cannot honour; none prints anything.
 */

/** lm-evaluation-harness's default `--seed`: python random, numpy, torch, few-shot sampling. */
const harnessDefaultSeeds = [0, 1234, 1234, 1234] as const;

/** The `--seed` values as lm-evaluation-harness parses them (`None` is null). */
export interface SeedSetting {
  /** The seed the run uses: lm-evaluation-harness's first value (python's `random`). */
  seed: number | undefined;
  /** All four values, as recorded in the results' configuration (lm-eval's `random_seed` … `fewshot_seed`). */
  values: [number | null, number | null, number | null, number | null];
  warnings: string[];
}

/**
 * `--seed N` or lm-evaluation-harness's `--seed A,B,C[,D]` (python random, numpy, torch, few-shot; `None`
 * leaves one unset; a missing fourth is its default 1234). The first is this run's seed (of requests and of
 * the benchmarks that shuffle); numpy and torch have nothing to seed here; few-shot exemplars are each
 * benchmark's fixed ones, so a few-shot seed other than lm-eval's default cannot be honoured.
 */
export function parseSeed(value: string): SeedSetting {
  const items = value.split(',').map((item) => item.trim());
  const parsed = items.map((item) => {
    if (item.toLowerCase() === 'none') return null;
    const number = Number(item);
    if (item === '' || !Number.isInteger(number) || number < 0) {
      throw new ConfigurationError(
        `--seed must be an integer ≥ 0, or lm-evaluation-harness's four comma-separated values (python random, numpy, torch, few-shot; each an integer or None), got "${value}".`,
      );
    }
    return number;
  });
  if (parsed.length !== 1 && parsed.length !== 3 && parsed.length !== 4) {
    throw new ConfigurationError(
      `--seed takes one value or lm-evaluation-harness's four (python random, numpy, torch, few-shot), got ${parsed.length}: "${value}".`,
    );
  }
  const values = (
    parsed.length === 1
      ? [parsed[0]!, parsed[0]!, parsed[0]!, parsed[0]!]
      : [...parsed, harnessDefaultSeeds[3]]
  ).slice(0, 4) as SeedSetting['values'];
  const warnings: string[] = [];
  const [random, numpy, torch, fewshot] = values;
  if (random === null) {
    warnings.push('--seed None: requests here are always seeded; the run uses seed 0.');
  }
  if (parsed.length > 1 && (numpy !== null || torch !== null)) {
    warnings.push(
      `--seed ${value}: the numpy (${numpy}) and torch (${torch}) seeds have no use here (nothing runs numpy or torch); the first value (${random ?? 0}) is the run's seed.`,
    );
  }
  if (fewshot !== null && fewshot !== harnessDefaultSeeds[3]) {
    warnings.push(
      `--seed ${value}: the few-shot seed ${fewshot} cannot be honoured: each benchmark's few-shot exemplars are fixed (those of lm-evaluation-harness's default few-shot seed, 1234).`,
    );
  }
  return { seed: random ?? undefined, values, warnings };
}

/**
 * `--limit`: a count (`10`; lm-evaluation-harness takes `int()` of a value ≥ 1) or a share of each task below
 * 1 (`0.1`: `ceil(size × 0.1)` samples).
 */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new ConfigurationError(
      `--limit must be a number of samples per task (e.g. 10) or a share of each task below 1 (e.g. 0.1), got "${value}".`,
    );
  }
  return number < 1 ? number : Math.floor(number);
}

/** `--batch_size N|auto|auto:N`: requests in flight at once; `auto` is the default concurrency. */
export function parseBatchSize(value: string | undefined): number | 'auto' | undefined {
  if (value === undefined) return undefined;
  if (/^auto(:\d+)?$/i.test(value.trim())) return 'auto';
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new ConfigurationError(
      `--batch_size must be an integer ≥ 1 (requests in flight at once), auto or auto:N, got "${value}".`,
    );
  }
  return number;
}

/** What `--gen_kwargs` changes in every generating task's requests. */
export interface GenerationSetting {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
}

/** lm-evaluation-harness's `simple_parse_args_string` value: booleans and numbers become such, else text. */
function harnessValue(text: string): string | number | boolean {
  if (text.toLowerCase() === 'true') return true;
  if (text.toLowerCase() === 'false') return false;
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

/**
 * `--gen_kwargs k=v,…` as lm-evaluation-harness's `generate_until` tasks take it: each key given replaces
 * the task's own setting. `temperature`, `top_p`, `max_gen_toks` (or `max_tokens`), `until` (one stop
 * string; the value cannot hold a comma) and `do_sample=False` (greedy: temperature 0 unless one is given,
 * as lm-eval's vLLM and API models do) are honoured; any other key is a warning.
 */
export function parseGenKwargs(text: string): {
  generation: GenerationSetting;
  recorded: Record<string, unknown>;
  warnings: string[];
} {
  const json = parseJsonObject(text, '--gen_kwargs');
  const raw: Record<string, unknown> = json ?? parseKeyValueList(text, '--gen_kwargs');
  const recorded: Record<string, unknown> = {};
  const generation: GenerationSetting = {};
  const warnings: string[] = [];
  const number = (key: string, value: unknown, check: (n: number) => boolean, what: string): number => {
    if (typeof value !== 'number' || !check(value)) {
      throw new ConfigurationError(`--gen_kwargs ${key} must be ${what}, got "${String(raw[key])}".`);
    }
    return value;
  };
  for (const [key, given] of Object.entries(raw)) {
    const value = typeof given === 'string' && json === undefined ? harnessValue(given) : given;
    recorded[key] = value;
    switch (key) {
      case 'temperature':
        generation.temperature = number(key, value, (n) => n >= 0, 'a number ≥ 0');
        break;
      case 'top_p':
        generation.topP = number(key, value, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
        break;
      case 'max_gen_toks':
      case 'max_tokens': {
        const tokens = number(key, value, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
        if (generation.maxTokens !== undefined && generation.maxTokens !== tokens) {
          throw new ConfigurationError(
            '--gen_kwargs gives max_gen_toks and max_tokens two different values: give one.',
          );
        }
        generation.maxTokens = tokens;
        break;
      }
      case 'until': {
        // As text, `until=5` is the stop string "5", not a number.
        const stop = Array.isArray(value) ? value : [json === undefined ? given : value];
        if (!stop.every((item) => typeof item === 'string')) {
          throw new ConfigurationError('--gen_kwargs until must be a string, or in JSON a list of strings.');
        }
        generation.stop = stop as string[];
        break;
      }
      case 'do_sample':
        if (typeof value !== 'boolean') {
          throw new ConfigurationError(
            `--gen_kwargs do_sample must be True or False, got "${String(given)}".`,
          );
        }
        break;
      default:
        warnings.push(
          `--gen_kwargs ${key} is not supported here (requests carry temperature, top_p, max tokens and stop strings only); it is ignored.`,
        );
    }
  }
  if (recorded.do_sample === false && generation.temperature === undefined) generation.temperature = 0;
  if (recorded.do_sample === true && generation.temperature === undefined) {
    warnings.push(
      '--gen_kwargs do_sample=True without temperature: each task keeps its own temperature (often 0, greedy); give temperature= to sample.',
    );
  }
  return { generation, recorded, warnings };
}

/** `--apply_chat_template` and `--fewshot_as_multiturn`, as recorded and as they act on the backend. */
export interface ChatTemplateSetting {
  /** lm-eval's value: `true` (the flag alone or `True`), `false`, or a template name; null when not given. */
  applyChatTemplate: boolean | string | null;
  fewshotAsMultiturn: boolean;
  warnings: string[];
}

/**
 * Tasks here choose chat prompts on a backend that takes chat requests, with few-shot exemplars as turns (lm-eval's
 * `--apply_chat_template --fewshot_as_multiturn`), and completion prompts otherwise. So `True` is what a chat
 * backend does; `False` asks for completion prompts (`routeModel` chooses the completions endpoint where the
 * backend has one); a template name cannot be honoured (the model's or server's own template is used).
 */
export function parseChatTemplate(flags: RunFlags): ChatTemplateSetting {
  const given = flags['apply-chat-template'];
  const warnings: string[] = [];
  let applyChatTemplate: ChatTemplateSetting['applyChatTemplate'] = null;
  if (given !== undefined) {
    const lower = given.toLowerCase();
    applyChatTemplate = lower === 'true' ? true : lower === 'false' ? false : given;
    if (typeof applyChatTemplate === 'string') {
      warnings.push(
        `--apply_chat_template ${given}: a named chat template cannot be chosen here; chat requests use the model's own template (the server's, or the GGUF's).`,
      );
    }
  }
  const fewshotAsMultiturn = flags['fewshot-as-multiturn'] ?? false;
  if (fewshotAsMultiturn && applyChatTemplate === false) {
    throw new ConfigurationError(
      '--fewshot_as_multiturn needs a chat template, and --apply_chat_template False turns it off: give one of them (as lm-evaluation-harness requires).',
    );
  }
  if (applyChatTemplate !== null && applyChatTemplate !== false && !fewshotAsMultiturn) {
    warnings.push(
      '--apply_chat_template without --fewshot_as_multiturn: lm-evaluation-harness would put few-shot exemplars in one user message; chat prompts here always give them as turns (as with --fewshot_as_multiturn).',
    );
  }
  return { applyChatTemplate, fewshotAsMultiturn, warnings };
}

const verbosityLevels = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;
export type Verbosity = (typeof verbosityLevels)[number];

/** `--verbosity LEVEL` (case-insensitive, as lm-eval's `str.upper`); `WARN` is `WARNING`. */
export function parseVerbosity(value: string | undefined): Verbosity | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() === 'WARN' ? 'WARNING' : value.toUpperCase();
  const level = verbosityLevels.find((candidate) => candidate === upper);
  if (level === undefined) {
    throw new ConfigurationError(`--verbosity must be one of ${verbosityLevels.join(', ')}, got "${value}".`);
  }
  return level;
}

/** The warnings of the flags accepted with no effect here, one per flag given. */
export function ignoredFlagWarnings(flags: RunFlags): string[] {
  return Object.entries(ignoredFlags)
    .filter(([name]) => {
      const value = flags[name as keyof typeof ignoredFlags];
      return value !== undefined && value !== false;
    })
    .map(([name, why]) => `${flagName(name)} has no effect here: ${why}.`);
}
