import { z } from 'zod';

/*
 * The files a run writes, as a contract for the programs that read them (leaderboards, comparisons, replay).
 * Objects are not strict: a reader built against this version parses a file written by a later minor version
 * that added fields (they are dropped). `format_version` changes when a field is removed or changes meaning.
 */

const count = z.number().int().min(0);
/** A metric's value, or `null` where it is undefined (the standard error of a single sample, NaN in memory). */
const metricValue = z.number().nullable();

/** Requests and tokens of one role (the model, or a judge) or of the whole run. */
const usageSchema = z.object({
  /** Requests sent to the backend. Answers taken from the response cache are not counted here. */
  requests_sent: count,
  /** Answers taken from the response cache instead of a request. */
  cache_hits: count,
  /** Prompt tokens of the requests sent, as the backend reported them (0 where it reports none). */
  prompt_tokens: count,
  /** Completion tokens of the requests sent, as the backend reported them (0 where it reports none). */
  completion_tokens: count,
  /** Of `prompt_tokens`, those the provider served from its prompt cache (priced lower). Absent before 0.2. */
  cached_prompt_tokens: count.optional(),
  /**
   * Cost of the requests sent, in US dollars (to a millionth), from each backend's price (`price` of the model
   * and of each judge audit). Null when a request went to a model without a known price. Absent before 0.2.
   */
  cost_usd: z.number().min(0).nullable().optional(),
});

/** A model's price as a cost was computed with it, and where the price comes from. */
const priceSchema = z.object({
  /** US dollars per million prompt tokens. */
  input_per_million_tokens: z.number().min(0),
  /** US dollars per million prompt tokens served from the provider's prompt cache, where it has one. */
  cached_input_per_million_tokens: z.number().min(0).optional(),
  /** US dollars per million completion tokens. */
  output_per_million_tokens: z.number().min(0),
  /**
   * `model_args` (the backend's `price_input`/`price_output`, or a backend running on this machine, at 0),
   * `config` (the config file's `judge_prices`), or `built-in (<date>)` (the runner's list prices).
   */
  source: z.string(),
});

/** What the runner's scheduler did for one backend: how far rate limits lowered its concurrency, and waits. */
const rateLimitSchema = z.object({
  /** `model`: the backend under evaluation (it may serve judges too); `judge`: a judge backend. */
  role: z.enum(['model', 'judge']),
  /** Backend plugin id. */
  backend: z.string(),
  /** The model it serves. */
  model_id: z.string(),
  /** Concurrency the run allowed (`--concurrency`, capped by the backend's own bound). */
  configured_concurrency: count,
  /** Lowest concurrency rate limits brought it down to. */
  lowest_concurrency: count,
  /** Concurrency at the end of the run. */
  final_concurrency: count,
  /** Answers refused for the server's rate limit (HTTP 429, Anthropic 529), each sent again. */
  rate_limited_answers: count,
  /** Times the concurrency was lowered (at most once per round of requests). */
  concurrency_decreases: count,
  /** Requests given up after being refused for too long (their samples failed). */
  given_up_requests: count,
  /** Seconds during which a ready request was held back by `retry-after` or a per-minute limit. */
  waited_seconds: z.number().min(0),
  /** The backend's `requests_per_minute`, null without one. */
  requests_per_minute: z.number().positive().nullable(),
  /** The backend's `tokens_per_minute`, null without one. */
  tokens_per_minute: z.number().positive().nullable(),
});

/** One data file a task resolved, as it was used. */
const datasetRecordSchema = z.object({
  /** Hugging Face Hub repository id, e.g. `openai/gsm8k`. */
  repository: z.string(),
  /** Path of the file inside the repository. */
  path: z.string(),
  /** Hub revision the file is pinned to (a commit sha, or a branch name where no commit is pinned). */
  revision: z.string(),
  /** Which copy was read: `offline` (`EVALCHEMY_DATASETS_DIR`) or `hub` (the Hub download cache). */
  source: z.enum(['offline', 'hub']),
  /** sha256 (hex) of the bytes read, verified before use. The offline and Hub copies may be encoded differently. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * What one judge role did for one task, under `tasks.<task>.judge_audit.<role>`: who judged, what it cost, and
 * how far its verdicts can be trusted (unparsable verdicts, position consistency).
 */
const judgeAuditSchema = z.object({
  /** Backend plugin id serving the judge, e.g. `openai`. */
  backend: z.string(),
  /** The judge model, e.g. `gpt-4-1106-preview`. */
  model_id: z.string(),
  /** Judge requests sent (answers from the response cache not counted). */
  requests_sent: count,
  /** Judge answers taken from the response cache. */
  cache_hits: count,
  /** Prompt tokens of the requests sent, as the backend reported them. */
  prompt_tokens: count,
  /** Completion tokens of the requests sent, as the backend reported them. */
  completion_tokens: count,
  /** Of `prompt_tokens`, those the provider served from its prompt cache. Absent before 0.2. */
  cached_prompt_tokens: count.optional(),
  /** Cost of the requests sent in US dollars, from `price`; null when the model's price is unknown. */
  cost_usd: z.number().min(0).nullable(),
  /** The price the cost was computed with, and where it comes from; null when unknown. */
  price: priceSchema.nullable(),
  /** Verdicts the scorer reported (parsed or not) over the scored samples. */
  verdicts: count,
  /** Of those, verdicts the scorer could not parse. */
  unparsable_verdicts: count,
  /** Pairwise judging in both orders: pairs with both verdicts parsed. 0 for judging in one order. */
  swapped_pairs: count,
  /** Of `swapped_pairs`, those whose verdict survived the swap (the same answer preferred, or a tie both times). */
  consistent_pairs: count,
  /** `consistent_pairs / swapped_pairs`; null without swapped pairs. */
  position_consistency: z.number().min(0).max(1).nullable(),
});

/** Verdict counts of one judge role for one sample, as the scorer reported them (`SampleScoreV1.judgeAudit`). */
const sampleJudgeAuditSchema = z.object({
  verdicts: count,
  unparsable: count,
  swapped_pairs: count.optional(),
  consistent_pairs: count.optional(),
});

/** What one task ran with and used, under `tasks.<task>`. */
const taskRecordSchema = z.object({
  /**
   * sha256 (hex) of a canonical JSON (keys sorted) of everything that decides the task's numbers: the task id
   * and plugin version, its options, the sha256 of every data file it resolved, the backend id, model,
   * endpoint (without credentials) and the backend options that change answers (all but those its provider
   * lists in `answerNeutralOptions`), the user's `--limit`, `--max_tokens`, `--seed` and
   * `--system_instruction`, and the backend and model of each judge role. Never secrets, never performance
   * settings (concurrency, timeouts, retries, output path). Two results with one identity are comparable.
   */
  identity: z.string().regex(/^[0-9a-f]{64}$/),
  /** Version of the benchmark plugin. */
  version: z.string(),
  /** The task's options, as parsed by the benchmark's own schema (defaults filled in). */
  options: z.unknown(),
  /** Every data file the task resolved, sorted by repository and path. */
  datasets: z.array(datasetRecordSchema),
  /** Requests and tokens of the task, by role. */
  usage: z.object({
    /** The model under evaluation. */
    model: usageSchema,
    /** Every judge role together; present when the task was scored by a judge in this run. */
    judge: usageSchema.optional(),
    /** Each judge role on its own; present when the task has several roles. */
    judges: z.record(z.string(), usageSchema).optional(),
  }),
  /** Per judge role: judge, requests, tokens, cost and verdict quality. Present when the task was judged in this run. */
  judge_audit: z.record(z.string(), judgeAuditSchema).optional(),
});

/**
 * The key of a metric's standard error in `results.<task>`: `<metric>_stderr`, and for lm-evaluation-harness's
 * `<metric>,<filter>` keys its `<metric>_stderr,<filter>` (`exact_match,strict-match` →
 * `exact_match_stderr,strict-match`).
 */
export function stderrKey(metric: string): string {
  const comma = metric.indexOf(',');
  return comma === -1 ? `${metric}_stderr` : `${metric.slice(0, comma)}_stderr${metric.slice(comma)}`;
}

/** Whether a key of `results.<task>` is a standard error (`acc_stderr`, `exact_match_stderr,strict-match`). */
export function isStderrKey(key: string): boolean {
  return /_stderr(,|$)/.test(key);
}

/** `results_<timestamp>.json`: the results of one run. Keys of per-task maps are task ids. */
export const resultsFileSchema = z.object({
  /** Version of this format: 1. */
  format_version: z.literal(1),
  /**
   * Id of the run: a random UUID, or for a named run (`--run_id`, or a sharded run) the UUID its name gives.
   * Two unsharded files with one `run_id` are copies of one run; the shards of one run share it.
   */
  run_id: z.uuid(),
  /**
   * Present in the results of one shard of a sharded run (`--shard I/N`): shard `index` (0-based) of
   * `count`. Its metrics, `n-samples` and usage are of its share of each task only; `evalchemy merge`
   * combines the shards into the results of the whole run (without this field). Absent before 0.2.
   */
  shard: z.object({ index: count, count: z.number().int().min(1) }).optional(),
  /**
   * Per task, its corpus metrics as lm-evaluation-harness writes them: `<metric>` and its `stderrKey(<metric>)`. Empty
   * for a task that failed or ran with `--predict_only`.
   */
  results: z.record(z.string(), z.record(z.string(), metricValue)),
  /** Per task, the name of its primary metric (a key of `results.<task>`). */
  primary_metrics: z.record(z.string(), z.string()),
  /** Per task, the metrics a summary shows: the benchmark's headline metrics, else its primary metric. */
  headline_metrics: z.record(z.string(), z.array(z.string())),
  /** Per task, its samples: `effective` evaluated (after `--limit`), `scored`, and `failed` for infrastructure reasons. */
  'n-samples': z.record(z.string(), z.object({ effective: count, scored: count, failed: count })),
  /** Per task with failed samples: how many failed, and the first one's error as an example. */
  sample_failures: z.record(z.string(), z.object({ failed: count, example: z.string() })),
  /** Per task that could not run: why. */
  task_errors: z.record(z.string(), z.string()),
  /** Per task, warnings counted by `type` or `type:setting` (`unsupported-setting:topP`). */
  warnings: z.record(z.string(), z.record(z.string(), count)),
  /** Why the response cache stopped taking new responses during the run (a full disk), else null. */
  cache_error: z.string().nullable(),
  /** The configuration as resolved from flags and config file, without secrets. */
  config: z.record(z.string(), z.unknown()),
  /** Package versions (`@evalchemy/cli`, the runner, every plugin used). */
  versions: z.record(z.string(), z.string()),
  /** Seeds: the base `seed`, and how each generation's seed derives from it. */
  seeds: z.object({
    /** Base seed (`--seed`). */
    seed: z.number().int(),
    /** How a generation's seed is chosen: `seed + generation index`. */
    generation_seed: z.string(),
  }),
  /** The model, its judge and the sandbox. */
  model: z.object({
    /** Backend plugin id, e.g. `openai`. */
    backend: z.string(),
    /** The model as the user named it. */
    model_id: z.string(),
    /** The backend's own description (server URL without credentials, context size, …). Never secrets. */
    info: z.record(z.string(), z.unknown()),
    /** The model's price, which its `cost_usd` figures use; null when unknown. Absent before 0.2. */
    price: priceSchema.nullable().optional(),
    /** The first judge backend of the run and its model; null when nothing was judged. */
    judge: z.object({ backend: z.string(), model_id: z.string() }).nullable(),
    /** The sandbox's id and description; null when no code was executed. */
    sandbox: z.record(z.string(), z.unknown()).nullable(),
  }),
  /** Requests and tokens of the whole run, model and judges together. */
  usage: usageSchema,
  /**
   * The run's cost budget (`--max_cost`), model and judges together; null without one. When `reached`, requests
   * that could have exceeded it were not sent: their samples are failed (`sample_failures`), and the same
   * command with a larger budget resumes from the response cache. Absent before 0.2.
   */
  budget: z
    .object({
      /** The budget, in US dollars. */
      max_cost_usd: z.number().min(0),
      /** What the requests sent cost, in US dollars. */
      spent_usd: z.number().min(0),
      /** Whether a request was held back because it could have exceeded the budget. */
      reached: z.boolean(),
      /** Requests held back for the budget. */
      requests_not_sent: count,
    })
    .nullable()
    .optional(),
  /** Per backend that was sent requests (the model's, each judge's): the rate-limit scheduler's facts. Absent before 0.2. */
  rate_limits: z.array(rateLimitSchema).optional(),
  /** Git commit of the working directory, null outside a repository. */
  git_hash: z.string().nullable(),
  /** The machine the run ran on. */
  environment: z.object({
    /** Node.js version. */
    node: z.string(),
    /** Platform, kernel release and architecture. */
    os: z.string(),
    /** Model name of the first CPU. */
    cpu: z.string(),
    /** Number of logical CPUs. */
    cpu_count: count,
    /** Total memory, in GiB (one decimal). */
    memory_gib: z.number(),
    /** NVIDIA GPUs as `nvidia-smi` lists them (name, memory). */
    gpus: z.array(z.string()),
  }),
  /** When the run ran. */
  timing: z.object({
    /** Start, ISO 8601 UTC. */
    start: z.iso.datetime(),
    /** End (the results written), ISO 8601 UTC. */
    end: z.iso.datetime(),
    /** End minus start, in seconds. */
    wall_clock_seconds: z.number().min(0),
  }),
  /** Per task: identity, version, options, data files and usage. */
  tasks: z.record(z.string(), taskRecordSchema),
});

/** The results file of one run (`results_<timestamp>.json`), format version 1. */
export type ResultsFileV1 = z.infer<typeof resultsFileSchema>;
/** One task's entry under `tasks` of the results file. */
export type TaskRecordV1 = z.infer<typeof taskRecordSchema>;
/** Requests and tokens of one role or of a run, in the results file. */
export type UsageRecordV1 = z.infer<typeof usageSchema>;
/** One judge role's audit of one task, in the results file. */
export type JudgeAuditRecordV1 = z.infer<typeof judgeAuditSchema>;
/** One backend's rate-limit facts, in the results file. */
export type RateLimitRecordV1 = z.infer<typeof rateLimitSchema>;
/** One data file a task used, in the results file. */
export type DatasetRecordV1 = z.infer<typeof datasetRecordSchema>;

const warningSchema = z.object({
  /** `unsupported-setting`, `truncated-prompt` or `other`. */
  type: z.enum(['unsupported-setting', 'truncated-prompt', 'other']),
  /** The generation parameter concerned, for `unsupported-setting`. */
  setting: z.string().optional(),
  message: z.string(),
});

/** Generation parameters of a plan, after the user's overrides (`GenerationParametersV1`). */
const parametersSchema = z.object({
  /** Upper bound on generated tokens. */
  maxTokens: z.number().int().optional(),
  /** Sampling temperature; 0 is greedy. */
  temperature: z.number().optional(),
  /** Nucleus sampling mass. */
  topP: z.number().optional(),
  /** Strings that end generation. */
  stop: z.array(z.string()).optional(),
  /** Seed the plan asks for; absent: the run's seed plus the generation index. */
  seed: z.number().int().optional(),
  /** Most likely alternatives per token asked for. */
  topLogprobs: z.number().int().optional(),
  /** `json`: the answer was constrained to one JSON object. */
  responseFormat: z.enum(['text', 'json']).optional(),
});

/** What was asked, by kind of plan. */
const promptSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('chat'),
    /** The system message (the plan's, or `--system_instruction`); null without one. */
    system: z.string().nullable(),
    /** Messages of the few-shot history before the first turn (their text is the benchmark's). */
    history_messages: count,
    /** The user turns, in order. */
    turns: z.array(z.string()),
    parameters: parametersSchema,
    /** Generations asked for each turn sequence. */
    generations: count,
  }),
  z.object({
    type: z.literal('completion'),
    /** The text the model continued. */
    prompt: z.string(),
    parameters: parametersSchema,
  }),
  z.object({
    type: z.literal('loglikelihood'),
    /** The context every continuation is scored after. */
    context: z.string(),
    /** The continuations scored (the choices of a multiple-choice question). */
    continuations: z.array(z.string()),
  }),
]);

/**
 * The plan of a sample whose generations a sharded run split across shards, exactly as the shard ran it
 * (after the user's overrides): what `evalchemy merge` scores the reunited generations with.
 */
const splitPlanSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('chat'),
    system: z.string().optional(),
    history: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
      .optional(),
    turns: z.array(z.string()),
    parameters: parametersSchema,
    generations: count.optional(),
  }),
  z.object({
    type: z.literal('completion'),
    prompt: z.string(),
    parameters: parametersSchema,
    generations: count.optional(),
  }),
]);

/** One turn's answer. */
const turnResponseSchema = z.object({
  /** Generated text. */
  text: z.string(),
  /** Why generation ended: `stop`, `length`, `content-filter` or `other`. */
  finish_reason: z.enum(['stop', 'length', 'content-filter', 'other']),
  /** Tokens of the call as the backend counted them; null where it does not report them. */
  usage: z
    .object({ promptTokens: count, completionTokens: count, cachedPromptTokens: count.optional() })
    .nullable(),
});

/** One continuation's score. */
const loglikelihoodResponseSchema = z.object({
  /** Sum of the continuation tokens' log-probabilities (natural log). */
  logprob: z.number(),
  /** Whether greedy decoding from the context produces exactly the continuation. */
  is_greedy: z.boolean(),
});

/**
 * One line of `samples_<task>_<timestamp>.jsonl`. `responses` is absent when the backend failed; `extracted`,
 * `metrics`, `details` and `warnings` are present when the sample was scored; `error` when it failed for an
 * infrastructure reason (it is then left out of the metrics).
 */
export const sampleRecordSchema = z.object({
  /** Task (benchmark) id. */
  task: z.string(),
  /** The dataset's own id of the sample, else its 0-based row index, as a string. */
  sample_id: z.string(),
  /** 0-based position of the sample in the run. */
  index: count,
  /** Metadata the benchmark gives for grouping (subject, difficulty). */
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** What was asked. */
  prompt: promptSchema,
  /**
   * The answers: for generation, per generation the answer of each turn; for loglikelihood, per continuation
   * its score.
   */
  responses: z.union([z.array(z.array(turnResponseSchema)), z.array(loglikelihoodResponseSchema)]).optional(),
  /** The answer(s) the scorer extracted; null where it extracts none. */
  extracted: z.unknown().optional(),
  /** Per-sample value of each metric; null where a metric does not apply to this sample. */
  metrics: z.record(z.string(), metricValue).optional(),
  /** What else the scorer kept (judge output, test verdicts); null where nothing. */
  details: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Warnings of the backend and the scorer for this sample. */
  warnings: z.array(warningSchema).optional(),
  /** Per judge role, the verdicts the scorer reported for this sample (summed into the results' judge audit). */
  judge_audit: z.record(z.string(), sampleJudgeAuditSchema).optional(),
  /** Why the sample failed (`judge call failed: …`, `scoring failed: …`, a backend error). */
  error: z.string().optional(),
  /**
   * Present in a shard's samples file when the run split this sample's generations across shards: this
   * record holds only some of them (`responses[i]` is generation `generations[i]`) and no score.
   * `evalchemy merge` reunites the generations of every shard and scores the sample as a single process.
   */
  split: z
    .object({
      /** The 0-based generations this record's responses are, in order. */
      generations: z.array(count),
      /** The backend's warnings of each of those generations (its turns' together), in order. */
      warnings: z.array(z.array(warningSchema)),
      plan: splitPlanSchema,
    })
    .optional(),
});

/** One line of a samples file. */
export type SampleRecordV1 = z.infer<typeof sampleRecordSchema>;
