import { backendLimitOptionsShape } from '@evalchemy/core';
import { z } from 'zod';

/** `true`/`false` from the command line (`1`/`0`, `yes`/`no` too) or a boolean from a config file. */
const flag = z.union([z.boolean(), z.stringbool()]);

/**
 * `--model_args` of the vllm backend: vLLM's own option names. Values arrive as strings from the command line;
 * numbers are coerced. `pretrained` (Evalchemy's and lm-evaluation-harness's spelling, `--model hf`) is read as
 * `model`, and `batch_size` as `concurrency`: the parsed options carry `model` and `concurrency` only.
 */
export const vllmOptionsSchema = z
  .object({
    ...backendLimitOptionsShape,
    /** Hugging Face repository (`ORG/NAME`) or local folder of the checkpoint: `vllm serve <model>`. */
    model: z.string().min(1).optional(),
    /** Same as `model` (the `--model hf` spelling). */
    pretrained: z.string().min(1).optional(),
    /** Branch, tag or commit of the checkpoint on the Hub (`--revision`). */
    revision: z.string().min(1).optional(),
    /** GPUs per replica (`--tensor-parallel-size`). */
    tensor_parallel_size: z.coerce.number().int().positive().default(1),
    /** Replicas, each on its own `tensor_parallel_size` GPUs. Default: as many as the GPUs hold. */
    data_parallel_size: z.coerce.number().int().positive().optional(),
    /** Weights and activations type (`--dtype`: auto, half, float16, bfloat16, float, float32). */
    dtype: z.string().min(1).optional(),
    /** Context length in tokens (`--max-model-len`). Default: the model's. */
    max_model_len: z.coerce.number().int().positive().optional(),
    /** Fraction of each GPU's memory vLLM may take (`--gpu-memory-utilization`, vLLM's default 0.9). */
    gpu_memory_utilization: z.coerce.number().gt(0).max(1).optional(),
    /** Runs the checkpoint's own Python code (`--trust-remote-code`). */
    trust_remote_code: flag.default(false),
    /** More `vllm serve` arguments, split like a shell would (`--enable-prefix-caching --max-num-seqs 512`). */
    extra_args: z.string().optional(),
    /**
     * Which endpoints requests go to: `auto` sends chat requests to /v1/chat/completions and completion and
     * loglikelihood requests to /v1/completions; `chat` or `completions` offers the benchmarks only that one
     * (`completions` for a base model without a chat template).
     */
    api: z.enum(['auto', 'chat', 'completions']).default('auto'),
    /** The `vllm` executable. Default `EVALCHEMY_VLLM_BIN`, else `vllm` on PATH. */
    vllm_bin: z.string().min(1).optional(),
    /** How long every replica may take to load the model and answer `/health`, in seconds. */
    startup_timeout_s: z.coerce.number().positive().default(1200),
    /** How long a stopped replica gets between SIGTERM and SIGKILL, in seconds. */
    stop_timeout_s: z.coerce.number().nonnegative().default(10),
    /** Requests in flight at once over all replicas (`capabilities.maxConcurrency`). Default: no bound. */
    concurrency: z.coerce.number().int().positive().optional(),
    /** Same as `concurrency` (the `--model hf` spelling); `auto` means no bound. */
    batch_size: z.union([z.literal('auto'), z.coerce.number().int().positive()]).optional(),
    /** Same as `concurrency` (lm-evaluation-harness's API-model spelling). */
    num_concurrent: z.coerce.number().int().positive().optional(),
    /**
     * lm-evaluation-harness's choice of sending token ids instead of text: text is always sent here (`False`);
     * `True` is a warning.
     */
    tokenized_requests: flag.optional(),
    /** Retries after a 5xx, timeout, reset or malformed answer (rate-limit answers go back to the runner). */
    max_retries: z.coerce.number().int().min(0).default(5),
    /** Timeout of one HTTP attempt, in milliseconds. Default 600000. */
    timeout_ms: z.coerce.number().int().positive().optional(),
    /** Timeout of one HTTP attempt, in seconds (lm-evaluation-harness's `timeout`). */
    timeout: z.coerce.number().positive().optional(),
  })
  .refine((options) => options.model !== undefined || options.pretrained !== undefined, {
    message:
      'give the checkpoint as model=ORG/NAME (or pretrained=ORG/NAME), a Hugging Face repository or a local folder',
    path: ['model'],
  })
  .refine((options) => options.model === undefined || options.pretrained === undefined, {
    message: 'give either model or pretrained, not both (they are the same option)',
    path: ['pretrained'],
  })
  .refine(
    (options) =>
      [options.concurrency, options.batch_size, options.num_concurrent].filter((value) => value !== undefined)
        .length <= 1,
    {
      message: 'give one of concurrency, batch_size and num_concurrent (they are the same option)',
      path: ['batch_size'],
    },
  )
  .refine((options) => options.timeout_ms === undefined || options.timeout === undefined, {
    message: 'give either timeout_ms or timeout (in seconds), not both',
    path: ['timeout'],
  })
  // Rewritten in place (not a transform) so the schema keeps its shape, which names the accepted keys; and one
  // spelling only reaches the results identity, so `pretrained=X` and `model=X` are one setup.
  .overwrite(({ pretrained, batch_size, num_concurrent, timeout, ...options }) => ({
    ...options,
    model: options.model ?? pretrained,
    concurrency: options.concurrency ?? num_concurrent ?? (batch_size === 'auto' ? undefined : batch_size),
    timeout_ms: options.timeout_ms ?? (timeout !== undefined ? Math.round(timeout * 1000) : 600_000),
  }));

/** Parsed options of the vllm backend (`model` always set: `pretrained` is folded into it). */
export type VllmOptions = z.output<typeof vllmOptionsSchema> & { model: string; timeout_ms: number };
/** Options as a caller may write them (defaults may be left out). */
export type VllmOptionsInput = z.input<typeof vllmOptionsSchema>;

/** Options that cannot change answers (`answerNeutralOptions`): where and how fast vLLM runs, not what it runs. */
export const vllmAnswerNeutralOptions = [
  'vllm_bin',
  'startup_timeout_s',
  'stop_timeout_s',
  'max_retries',
  'timeout_ms',
  'concurrency',
  'batch_size',
  'num_concurrent',
  'timeout',
  'tokenized_requests',
  'tensor_parallel_size',
  'data_parallel_size',
  'gpu_memory_utilization',
  'pretrained',
] as const;
