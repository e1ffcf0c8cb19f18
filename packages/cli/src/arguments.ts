import { parseArgs } from 'node:util';
import { ConfigurationError } from '@evalchemy/core';
import { exitCodesHelp } from './exit-codes.js';

/**
 * Turns Evalchemy's snake_case flags (`--model_args`) into the kebab-case this CLI defines
 * (`--model-args`); both spellings are accepted.
 */
export function normaliseFlags(argv: string[]): string[] {
  return argv.map((argument) => {
    if (!argument.startsWith('--')) return argument;
    const equals = argument.indexOf('=');
    const name = equals === -1 ? argument : argument.slice(0, equals);
    const rest = equals === -1 ? '' : argument.slice(equals);
    return name.replaceAll('_', '-') + rest;
  });
}

/**
 * Flags whose value is optional, as lm-evaluation-harness's argparse `nargs="?"`: alone (the end of the line,
 * or another flag next) they take `const`, else the next word.
 */
const optionalValueFlags: Readonly<Record<string, string>> = { '--apply-chat-template': 'True' };

/** `normaliseFlags`, and a value for an optional-value flag given alone. */
function normaliseRunFlags(argv: string[]): string[] {
  const normalised = normaliseFlags(argv);
  return normalised.flatMap((argument, index) => {
    const constant = optionalValueFlags[argument];
    if (constant === undefined) return [argument];
    const next = normalised[index + 1];
    return next === undefined || next.startsWith('-') ? [`${argument}=${constant}`] : [argument];
  });
}

export const runFlags = {
  model: { type: 'string', short: 'm' },
  'model-args': { type: 'string', short: 'a' },
  tasks: { type: 'string', short: 't' },
  'output-path': { type: 'string', short: 'o' },
  limit: { type: 'string', short: 'L' },
  debug: { type: 'boolean' },
  'batch-size': { type: 'string', short: 'b' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  'model-name': { type: 'string' },
  'system-instruction': { type: 'string' },
  'annotator-model': { type: 'string' },
  'judge-backend': { type: 'string' },
  'judge-args': { type: 'string' },
  'predict-only': { type: 'boolean', short: 'x' },
  config: { type: 'string' },
  'no-cache': { type: 'boolean' },
  sandbox: { type: 'string' },
  'confirm-run-unsafe-code': { type: 'boolean' },
  'show-all-metrics': { type: 'boolean' },
  'use-database': { type: 'boolean' },
  'model-id': { type: 'string' },
  'created-by': { type: 'string' },
  'creation-location': { type: 'string' },
  'is-external-model': { type: 'boolean' },
  'overwrite-database': { type: 'boolean' },
  'database-url': { type: 'string' },
  shard: { type: 'string' },
  'num-shards': { type: 'string' },
  'shard-index': { type: 'string' },
  'run-id': { type: 'string' },
  // lm-evaluation-harness's flags (`lm_eval/__main__.py` setup_parser, 0.4.x).
  'num-fewshot': { type: 'string', short: 'f' },
  'gen-kwargs': { type: 'string' },
  'apply-chat-template': { type: 'string' },
  'fewshot-as-multiturn': { type: 'boolean' },
  'log-samples': { type: 'boolean', short: 's' },
  verbosity: { type: 'string', short: 'v' },
  'show-config': { type: 'boolean' },
  'include-path': { type: 'string' },
  'trust-remote-code': { type: 'boolean' },
  // Accepted for compatibility; each is a warning saying why it has no effect here (`ignoredFlags`).
  'max-batch-size': { type: 'string' },
  device: { type: 'string' },
  'use-cache': { type: 'string', short: 'c' },
  'cache-requests': { type: 'string' },
  'check-integrity': { type: 'boolean' },
  'write-out': { type: 'boolean', short: 'w' },
  'wandb-args': { type: 'string' },
  'wandb-config-args': { type: 'string' },
  'hf-hub-log-args': { type: 'string' },
  samples: { type: 'string', short: 'E' },
  metadata: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * lm-evaluation-harness's and Evalchemy's flags that have no effect here, each with why: accepted so that their
 * command lines run unchanged, and named in a warning, never silently.
 */
export const ignoredFlags = {
  'max-batch-size':
    'batches are not sized by trial here; --batch_size (requests in flight) bounds concurrency',
  device:
    'backends choose their own devices (vllm: tensor_parallel_size, data_parallel_size, CUDA_VISIBLE_DEVICES; llamacpp: gpu=); an API model has none',
  'use-cache':
    'responses are always cached in the response cache (EVALCHEMY_CACHE_DIR, or the user cache directory; --no_cache turns it off), not in the SQLite file given',
  'cache-requests': 'requests are built afresh on every run; only responses are cached',
  'check-integrity': 'there are no per-task test suites to run before a run',
  'write-out': 'the prompts sent are in the samples files',
  'wandb-args': 'there is no Weights & Biases logging',
  'wandb-config-args': 'there is no Weights & Biases logging',
  'hf-hub-log-args': 'results are not pushed to the Hugging Face Hub (see --use_database for a leaderboard)',
  samples: 'selecting samples by index is not supported; --limit takes the first N of each task',
  metadata: 'task configs take no metadata; per-task options go in --config (tasks.<task>.<option>)',
} as const satisfies Partial<Record<keyof typeof runFlags, string>>;

/** The `--snake_case` spelling of a flag, for messages. */
export function flagName(name: string): string {
  return `--${name.replaceAll('-', '_')}`;
}

export type RunFlags = ReturnType<typeof parseRunFlags>;

export function parseRunFlags(argv: string[]) {
  try {
    return parseArgs({
      args: normaliseRunFlags(argv),
      options: runFlags,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}. Run "evalchemy run --help" for the flags.`);
  }
}

/**
 * Parses `k=v,k2=v2` (lm-evaluation-harness's `--model_args`). An error never shows a value: values may be
 * secrets (`api_key=...`), and a stray comma splits one into items that look like anything.
 */
export function parseKeyValueList(text: string, flag: string): Record<string, string> {
  const json = parseJsonObject(text, flag);
  if (json !== undefined) {
    return Object.fromEntries(
      Object.entries(json).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
  }
  const result: Record<string, string> = {};
  let previousKey: string | undefined;
  for (const [position, part] of text.split(',').entries()) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) {
      throw new ConfigurationError(
        `${flag}: item ${position + 1} is not of the form key=value (${equals === 0 ? 'the key is empty' : 'it has no "="'}` +
          `${previousKey === undefined ? '' : `; it follows "${previousKey}="`}). Items are separated by commas, so a ` +
          'value cannot contain one. Values are not shown, as they may be secrets.',
      );
    }
    previousKey = part.slice(0, equals).trim();
    result[previousKey] = part.slice(equals + 1).trim();
  }
  return result;
}

/**
 * lm-evaluation-harness (0.4.9+) also takes `--model_args` and `--gen_kwargs` as a JSON object
 * (`'{"pretrained":"m","until":["\\n\\n"]}'`): the object, or undefined for text that is not JSON. Like
 * `parseKeyValueList`, a message never shows the text.
 */
export function parseJsonObject(text: string, flag: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // The parser's message quotes the text, which may hold a key: it is not shown.
    throw new ConfigurationError(
      `${flag} starts with "{" but is not valid JSON: use double quotes for JSON strings, or write k=v,… items. The text is not shown, as it may hold secrets.`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(`${flag} as JSON must be an object of option names and values.`);
  }
  return parsed as Record<string, unknown>;
}

export function parseInteger(value: string | undefined, flag: string, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) {
    throw new ConfigurationError(`${flag} must be an integer ≥ ${minimum}, got "${value}".`);
  }
  return number;
}

/** A non-negative amount of US dollars (`--max_cost 2.50`). */
export function parseAmount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const amount = Number(value.replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(amount) || amount < 0) {
    throw new ConfigurationError(`${flag} must be an amount of US dollars ≥ 0 (e.g. 2.50), got "${value}".`);
  }
  return amount;
}

export const runHelp = `Usage: evalchemy run --model <backend> [--model_args k=v,...] --tasks a,b [options]
(Evalchemy's "python -m eval.eval" and lm-evaluation-harness's "lm_eval" command lines run unchanged.)

  -m, --model NAME          backend id (openai, llamacpp, replay, ...; see "evalchemy list"); lm-eval's names work:
                            local-completions, local-chat-completions (openai on that endpoint), hf (vllm)
  -a, --model_args K=V,...  backend options, e.g. model=gpt-4o-mini,base_url=http://127.0.0.1:8000/v1;
                            price_input=,price_output= (USD per million tokens), requests_per_minute=,
                            tokens_per_minute= on API backends; lm-eval's pretrained=, num_concurrent=,
                            timeout= (seconds), max_retries=, tokenized_requests=False, revision= (vllm),
                            api_base=, and base_url= as the full .../v1/chat/completions or .../v1/completions
                            URL (the endpoint chooses chat or completion prompts); a JSON object works too
  --model_name NAME         the model (as model= in --model_args); with --model curator, PROVIDER/MODEL
                            (openai/…, anthropic/…, gemini/…) chooses the backend, and api_base= its server
  -t, --tasks A,B           benchmarks to run (names are case-insensitive: MTBench = mtbench)
  -o, --output_path DIR|FILE.json   where results go (default ./results): DIR/<model>/results_<time>.json, or
                            exactly FILE.json with the samples files beside it
  -L, --limit N|0<N<1       only the first N samples of each task; below 1, that share of each (rounded up)
  --debug                   each task's debug size (Evalchemy's: 2 for its benchmarks; else 5), for a quick
                            check; a debug run is not added to the leaderboard
  -b, --batch_size N|auto|auto:N, --concurrency N   requests in flight at once (default and auto: 32)
  --seed N|A,B,C,D          base seed (default 0); generation i of a sample uses seed + i. lm-eval's four
                            values (random, numpy, torch, few-shot): the first is the seed, the others warn
  -f, --num_fewshot N       the num_fewshot option of every task that has one (a warning names the others)
  --gen_kwargs K=V,...      every generating task's temperature=, top_p=, max_gen_toks= (max tokens), until=
                            (a stop string), do_sample=False (greedy); other keys warn; or a JSON object
  --apply_chat_template [True|False|NAME]   chat backends get chat prompts (True); False chooses the
                            completions endpoint of openai and vllm; a template NAME warns (the model's own is used)
  --fewshot_as_multiturn    few-shot exemplars as chat turns: what chat prompts do here
  --max_tokens N            overrides every task's max generated tokens
  --max_cost USD            budget over the model's and the judges' requests: a request that could exceed it
                            is not sent, the requests in flight finish, results cover what was done (exit 3)
  --system_instruction TEXT system message for chat prompts
  --judge_backend ID        backend of the LLM judge for judged tasks (default openai; any installed backend)
  --judge_args K=V,...      the judge backend's options, as --model_args (llamacpp: model=judge.gguf)
  --annotator_model NAME    judge model (default "auto", as Evalchemy's: each benchmark's reference judge, e.g.
                            gpt-4 for MT-Bench); a model in --judge_args is used as given, and naming two
                            different ones is an error. The openai judge's key comes from
                            EVALCHEMY_JUDGE_API_KEY or OPENAI_API_KEY, its URL from EVALCHEMY_JUDGE_BASE_URL,
                            else OPENAI_BASE_URL, unless --judge_args gives api_key or base_url
  -x, --predict_only        generate and save responses without scoring
  -s, --log_samples         accepted: the samples files are always written
  --sandbox auto|docker|process   where generated code runs (default auto)
  --confirm_run_unsafe_code run generated code without isolation when no sandbox is available
  --config FILE.yaml        tasks, per-task options, judges per task and role, limits
                            (schema: @evalchemy/cli/config.schema.json); flags win over the file
  --include_path DIR        a folder of more plugin packages (each with an "evalchemy" manifest), searched too
  --no_cache                neither read nor fill the response cache
  --shard I/N, --num_shards N --shard_index I   run only shard I's share of every task (0 ≤ I < N),
                            balanced by each sample's expected cost (a repeated sample's generations on
                            different shards, unless a judge or sandbox scores it); files are named
                            ..._shard-I-of-N, and "evalchemy merge DIR" combines the shards into the results
                            of one run (scoring the split samples)
  --run_id ID               the run's name (1–64 of A-Z a-z 0-9 . _ -; a UUID is used as it is): every shard
                            of one run is given the same; without it a sharded run's id derives from the command
  --show_all_metrics        every metric in the results table, not only each task's headline metrics
  --show_config             print the run's configuration (the results file's config) after the run
  -v, --verbosity LEVEL     CRITICAL, ERROR, WARNING, INFO (default) or DEBUG: the least severe messages shown
  --trust_remote_code       vllm (and hf): trust_remote_code=true; other backends: a warning
  --use_database            add the run to the leaderboard when it ends (see "evalchemy leaderboard --help"),
                            under --model_name when given; a push that fails keeps the results files (exit 6)
  --model_id UUID           with --use_database: record the run under this existing row of models
  --created_by NAME, --creation_location TEXT, --is_external_model   with --use_database: recorded with
                            new rows (defaults: the user name, the host name, not external)
  --overwrite-database, --overwrite_database   with --use_database --model_id: run also the tasks the
                            leaderboard already has for that model (without it they are skipped, as Evalchemy)
  --database_url URL        with --use_database: a PostgreSQL server (postgres://user:password@host/db); else
                            EVALCHEMY_DATABASE_URL, else DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME, else
                            the embedded database in EVALCHEMY_LEADERBOARD_DIR or the user's data directory

  -h, --help                this help

Accepted with no effect here (each a warning saying why): --max_batch_size, --device, -c/--use_cache,
--cache_requests, --check_integrity, -w/--write_out, --wandb_args, --wandb_config_args, --hf_hub_log_args,
-E/--samples, --metadata.

Both --snake_case and --kebab-case spellings are accepted.

${exitCodesHelp}`;
