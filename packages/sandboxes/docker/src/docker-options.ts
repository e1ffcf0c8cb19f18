import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Default image: built locally by `buildSandboxImage` (`evalchemy sandbox build`). */
export const defaultSandboxImage = 'evalchemy-sandbox-python:3.11';

/** Options of the `docker` sandbox (the `docker` key of the sandbox options). */
export const dockerSandboxOptionsSchema = z
  .object({
    /** Containers in the pool, one execution each at a time. Default: the number of CPUs. */
    concurrency: z
      .number()
      .int()
      .positive()
      .default(() => availableParallelism()),
    /** Image with python3, coreutils `timeout` and util-linux `prlimit`, e.g. a local build or `python:3.11-slim`. */
    image: z.string().min(1).default(defaultSandboxImage),
    /** Python interpreter inside the image. Default `python3`. */
    python: z.string().min(1).default('python3'),
    /** Memory limit of each container (cgroup, no swap) and default address-space limit, in MiB. Default 2048. */
    memory_mb: z.number().int().min(64).default(2048),
    /** Most processes in one container. Default 128. */
    pids_limit: z.number().int().min(8).default(128),
    /** CPUs each container may use. Default 1. */
    cpus: z.number().positive().default(1),
    /** Size of each container's tmpfs /work, in MiB. Default 256. */
    work_directory_size_mb: z.number().int().positive().default(256),
  })
  .strict();

/** Parsed options of the `docker` sandbox. */
export type DockerSandboxOptions = z.infer<typeof dockerSandboxOptionsSchema>;
/** Options as a user writes them (every field optional). */
export type DockerSandboxSettings = z.input<typeof dockerSandboxOptionsSchema>;
