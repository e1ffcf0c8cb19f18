import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Options of the `process` sandbox (the `process` key of the sandbox options). */
export const processSandboxOptionsSchema = z
  .object({
    /** How many programs run at once. Default: the number of CPUs. */
    concurrency: z
      .number()
      .int()
      .positive()
      .default(() => availableParallelism()),
    /** Python interpreter, looked up on the sandbox's PATH (/usr/local/bin:/usr/bin:/bin). Default `python3`. */
    python: z.string().min(1).default('python3'),
    /** Address-space limit per process in MiB when an execution does not set `memoryMb`. Default 2048. */
    memory_mb: z.number().int().min(64).default(2048),
    /** Most processes (and threads) one execution may have at once. Default 64. */
    max_processes: z.number().int().min(4).default(64),
    /** Largest file one execution may write, in MiB. Default 64. */
    max_file_size_mb: z.number().int().positive().default(64),
    /** Size of the execution's private /work and /tmp (each, a tmpfs), in MiB. Default 256. */
    work_directory_size_mb: z.number().int().positive().default(256),
    /** bubblewrap executable. Default `bwrap` on the PATH. */
    bwrap_path: z.string().min(1).default('bwrap'),
    /** Host paths bound read-only at the same place inside the sandbox, e.g. a virtualenv with numpy. */
    extra_read_only_paths: z.array(z.string().startsWith('/')).default([]),
    /**
     * Runs programs as plain child processes with rlimits, a clean environment and a temporary working
     * directory, but without namespaces: the code can read your files and use the network. Like
     * lm-evaluation-harness's `--confirm_run_unsafe_code`. Default false.
     */
    unsafe_no_isolation: z.boolean().default(false),
  })
  .strict();

/** Parsed options of the `process` sandbox. */
export type ProcessSandboxOptions = z.infer<typeof processSandboxOptionsSchema>;
/** Options as a user writes them (every field optional). */
export type ProcessSandboxSettings = z.input<typeof processSandboxOptionsSchema>;
