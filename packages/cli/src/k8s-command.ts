import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError, StorageError } from '@evalchemy/core';
import { flagName, normaliseFlags, parseInteger, parseRunFlags } from './arguments.js';
import { type ConfigFile, findConfigFile, loadConfigFile, shippedConfigsDirectory } from './config-file.js';
import { ownVersion } from './installed-version.js';
import {
  buildK8sManifests,
  CONFIG_MOUNT,
  INDEX_VARIABLE,
  type K8sManifestSettings,
  manifestsToYaml,
  runDirectory,
  SHARED_CACHE,
  SHARED_MOUNT,
} from './k8s-manifests.js';
import { discoverPlugins, findBenchmarks, findPlugin, findPlugins, loadPlugin } from './plugin-discovery.js';
import type { CommandIo } from './run-command.js';
import { buildRunConfiguration, DEFAULT_JUDGE_BACKEND, type RunConfiguration } from './run-configuration.js';
import { parseRunName } from './shard-flags.js';

/** The image shards run in unless `--image` is given: Node 22, with the CLI and plugins installed by npx. */
export const DEFAULT_IMAGE = 'node:22-bookworm-slim';

export const k8sHelp = `Usage: evalchemy k8s manifest --shards N [options] -- run --model ... --tasks ...

Writes Kubernetes manifests (YAML) for a sharded run: an Indexed Job of N shards (completionMode: Indexed, the
shard from JOB_COMPLETION_INDEX) and a merge Job that waits until every shard has succeeded (a marker each leaves
on the shared volume) and runs "evalchemy merge". After "--" comes the evalchemy command each shard runs; the manifest adds
--shard $(JOB_COMPLETION_INDEX)/N, --run_id (one per manifest) and --output_path ${SHARED_MOUNT}/runs/<run id>.
Nothing is sent to a cluster: apply the file with "kubectl apply -f FILE".

  --shards N                  number of shards (completions of the Indexed Job), 1 or more
  --gpus_per_shard G          nvidia.com/gpu requested and limited per shard pod (default 0: none)
  --image IMG                 an image with "evalchemy" and the plugins the command needs on its PATH; default
                              ${DEFAULT_IMAGE}, which runs "npx" with @evalchemy/cli and the run's plugin
                              packages at the versions installed here (pinned)
  --pvc NAME                  PersistentVolumeClaim mounted at ${SHARED_MOUNT} in every pod, ReadWriteMany: results
                              (${SHARED_MOUNT}/runs/<run id>) and the response cache (${SHARED_CACHE});
                              default evalchemy
  --secret NAME               Secret whose keys become environment variables of the pods (envFrom): API keys
                              (OPENAI_API_KEY, ...), HF_TOKEN. Keys are never written into the manifest
  --namespace NS              namespace of the objects (default: kubectl's current one)
  --name NAME                 name of the Indexed Job (default evalchemy-<run id start>); the merge Job is
                              NAME-merge
  --parallelism P             shard pods running at once (default N)
  --backoff_limit B           retries of each shard (backoffLimitPerIndex, default 2); exit codes 2, 3 and 5 (bad
                              input, budget reached, key refused) fail that shard at once
  --merge_deadline HOURS      how long the merge Job waits for all shards (activeDeadlineSeconds; default 168)
  --run_id ID                 the run's id (default: a new UUID per manifest)
  --output FILE               write the YAML to FILE instead of standard output
  -h, --help                  this help`;

/** Flags of the run command that the manifest sets itself. */
const engineFlags = new Set(['--shard', '--num-shards', '--shard-index', '--run-id', '--output-path', '-o']);
/** Option keys (in --model_args, --judge_args or a config file) whose values are keys or passwords. */
const secretKey = /^key$|(^|_)token$|api_?key|password|passwd|secret|credential/i;

/**
 * The flags of `k8s manifest` and the run command after `--`, checked without reading any plugin or file:
 * `help` when help was asked for. Throws a ConfigurationError saying what is wrong.
 */
export function parseK8sArguments(
  argv: readonly string[],
): { help: true } | { help: false; values: K8sFlags; shards: number; runArguments: string[] } {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const [action, ...rest] = own;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help')
    return { help: true };
  if (action !== 'manifest') {
    throw new ConfigurationError(
      `Unknown command "k8s ${action}": the one command is "k8s manifest".\n\n${k8sHelp}`,
    );
  }
  if (rest.some((argument) => argument === '--help' || argument === '-h')) return { help: true };
  if (separator === -1) {
    throw new ConfigurationError(
      'Give the evalchemy command each shard runs after "--", e.g. evalchemy k8s manifest --shards 8 -- run --model vllm --model_args pretrained=ORG/MODEL --tasks AIME24,MATH500.',
    );
  }
  let values: K8sFlags;
  try {
    values = parseK8sFlags(rest);
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}. Run "evalchemy k8s --help" for the flags.`);
  }
  const shards = parseInteger(values.shards, '--shards', 1);
  if (shards === undefined)
    throw new ConfigurationError('--shards N is required (the number of shards, 1 or more).');
  return { help: false, values, shards, runArguments: checkRunCommand(argv.slice(separator + 1)) };
}

/** `evalchemy k8s manifest`: writes the manifests of a sharded run. Returns the exit code. */
export async function k8sCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseK8sArguments(argv);
  if (parsed.help) {
    io.stdout.write(`${k8sHelp}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const { values, shards, runArguments } = parsed;
  const runName = parseRunName(values['run-id']) ?? randomUUID();
  const name = values.name ?? defaultName(runName);
  checkName(name, '--name', 57);
  if (values.namespace !== undefined) checkName(values.namespace, '--namespace', 63);
  const pvc = values.pvc ?? 'evalchemy';
  checkName(pvc, '--pvc', 253);
  if (values.secret !== undefined) checkName(values.secret, '--secret', 253);

  const flags = parseRunFlags(runArguments);
  const file = flags.config ? await loadConfigFile(flags.config, io.cwd) : undefined;
  const config: ConfigFile = file?.config ?? {};
  const configuration = buildRunConfiguration(flags, config, io.cwd);
  refuseInlineSecrets(configuration, flags['database-url']);
  if (configuration.includePaths.length > 0) {
    throw new ConfigurationError(
      '--include_path names a folder on this machine, which the pods do not have: install the plugin packages in an image (--image) instead.',
    );
  }

  let configFile: K8sManifestSettings['configFile'];
  let shardArguments = runArguments;
  if (flags.config !== undefined) {
    const path = findConfigFile(flags.config, io.cwd);
    const shipped = !relative(shippedConfigsDirectory, path).startsWith('..');
    if (!shipped) {
      configFile = { fileName: basename(path), content: await readFile(path, 'utf8') };
      shardArguments = replaceFlagValue(runArguments, '--config', `${CONFIG_MOUNT}/${basename(path)}`);
    }
  }

  const { packages, warnings } = await runPackages(configuration, io.cwd);
  const image = values.image ?? DEFAULT_IMAGE;
  const entrypoint =
    values.image !== undefined
      ? ['evalchemy']
      : ['npx', '--yes', ...packages.flatMap((specifier) => ['--package', specifier]), 'evalchemy'];
  const backend = configuration.model.backend;
  if (values.image === undefined && backend === 'vllm') {
    warnings.push(
      `backend vllm starts vLLM inside each shard pod, and ${DEFAULT_IMAGE} has no vLLM (Python, CUDA): pass --image with an image that has vLLM and evalchemy, or serve the model elsewhere and use --model openai with its base_url.`,
    );
  }
  if (values.image === undefined && backend === 'llamacpp') {
    warnings.push(
      `backend llamacpp loads its model file inside each shard pod: put the file on the volume (${SHARED_MOUNT}/...) and give that path in --model_args.`,
    );
  }
  const gpus = parseInteger(values['gpus-per-shard'], '--gpus_per_shard', 0) ?? 0;
  const parallelism = parseInteger(values.parallelism, '--parallelism', 1) ?? shards;
  const backoffLimit = parseInteger(values['backoff-limit'], '--backoff_limit', 0) ?? 2;
  const deadlineHours = parseInteger(values['merge-deadline'], '--merge_deadline', 1) ?? 168;

  const settings: K8sManifestSettings = {
    name,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    runId: runName,
    shards,
    parallelism,
    backoffLimit,
    gpusPerShard: gpus,
    image,
    entrypoint,
    pvc,
    ...(values.secret !== undefined ? { secret: values.secret } : {}),
    runArguments: shardArguments,
    ...(configFile !== undefined ? { configFile } : {}),
    mergeDeadlineSeconds: deadlineHours * 3600,
    pollSeconds: 30,
  };
  const yaml = manifestsToYaml(buildK8sManifests(settings), header(settings, deadlineHours));
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
  if (values.output === undefined) {
    io.stdout.write(yaml);
    return 0;
  }
  const output = resolve(io.cwd, values.output);
  try {
    await writeFile(output, yaml);
  } catch (error) {
    throw new StorageError(`Cannot write the manifests to ${output}: ${(error as Error).message}.`, {
      cause: error,
      path: output,
      code: (error as NodeJS.ErrnoException).code,
    });
  }
  io.stderr.write(
    `Wrote the manifests of run ${runName} (${shards} shards) to ${output}: apply them with "kubectl apply -f ${values.output}".\n`,
  );
  return 0;
}

type K8sFlags = ReturnType<typeof parseK8sFlags>;

function parseK8sFlags(argv: readonly string[]) {
  return parseArgs({
    args: normaliseFlags([...argv]),
    options: {
      shards: { type: 'string' },
      'gpus-per-shard': { type: 'string' },
      image: { type: 'string' },
      pvc: { type: 'string' },
      secret: { type: 'string' },
      namespace: { type: 'string' },
      name: { type: 'string' },
      parallelism: { type: 'string' },
      'backoff-limit': { type: 'string' },
      'merge-deadline': { type: 'string' },
      'run-id': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** The `run` command's arguments (after `run`), refusing the flags the engine sets. */
function checkRunCommand(command: readonly string[]): string[] {
  const [first, ...runArguments] = command;
  if (first !== 'run') {
    throw new ConfigurationError(
      `After "--" comes the evalchemy command each shard runs, starting with "run" (… -- run --model … --tasks …), got "${first ?? ''}".`,
    );
  }
  for (const argument of normaliseFlags(runArguments)) {
    const flag = argument.startsWith('--')
      ? argument.split('=')[0]
      : argument.startsWith('-o')
        ? '-o'
        : undefined;
    if (flag !== undefined && engineFlags.has(flag)) {
      throw new ConfigurationError(
        `${flag === '-o' ? '-o' : flagName(flag.slice(2))} is set by evalchemy k8s manifest: each shard gets --shard $(${INDEX_VARIABLE})/N, --run_id (one per manifest; give it as "k8s manifest --run_id ID") and --output_path ${SHARED_MOUNT}/runs/<run id> on the shared volume. Remove it from the command after "--".`,
      );
    }
  }
  return runArguments;
}

/** A key or password in the options would be written into the manifest: they belong in the Secret. */
function refuseInlineSecrets(configuration: RunConfiguration, databaseUrl: string | undefined): void {
  const judgeLevels = [
    configuration.judges.file,
    configuration.judges.flags,
    ...Object.values(configuration.judges.tasks).flatMap(({ task, roles }) => [
      task,
      ...Object.values(roles),
    ]),
  ];
  const sources = [
    configuration.model.args,
    ...judgeLevels.flatMap((level) => (level.args ? [level.args] : [])),
  ];
  for (const { values, source } of sources) {
    for (const [key, value] of Object.entries(values)) {
      if (secretKey.test(key)) {
        throw new ConfigurationError(
          `${key}= in ${source.inConfig ? `${source.name} of the config file` : source.name} would write a secret into the manifest: put it in a Kubernetes Secret instead (kubectl create secret generic NAME --from-literal=OPENAI_API_KEY=…) and pass --secret NAME; the pods get its keys as environment variables.`,
        );
      }
      if (/:\/\/[^\s/@]+:[^\s/@]*@/.test(value)) {
        throw new ConfigurationError(
          `${key}= in ${source.name} holds a URL with a password, which would be written into the manifest: put the credentials in a Kubernetes Secret (--secret NAME) instead.`,
        );
      }
    }
  }
  if (databaseUrl !== undefined && /:\/\/[^\s/@]+:[^\s/@]*@/.test(databaseUrl)) {
    throw new ConfigurationError(
      '--database_url holds a password, which would be written into the manifest: put EVALCHEMY_DATABASE_URL in a Kubernetes Secret (--secret NAME) and leave --database_url out.',
    );
  }
}

/**
 * The packages each pod installs with npx, pinned to the versions installed here: the CLI, the backend, every
 * task's benchmark, the judges' backends when a task is judged, and the sandbox when generated code runs.
 */
async function runPackages(
  configuration: RunConfiguration,
  cwd: string,
): Promise<{ packages: string[]; warnings: string[] }> {
  const plugins = await discoverPlugins(cwd);
  findPlugins(plugins, [
    { kind: 'backend', name: configuration.model.backend },
    ...configuration.tasks.map(({ name }) => ({ kind: 'benchmark' as const, name })),
  ]);
  const chosen = [findPlugin(plugins, 'backend', configuration.model.backend)];
  const warnings: string[] = [];
  let judged = false;
  let sandboxed = false;
  for (const { name } of configuration.tasks) {
    for (const plugin of findBenchmarks(plugins, name)) {
      chosen.push(plugin);
      const benchmark = await loadPlugin(plugin, 'benchmark');
      if (benchmark.judgesFor !== undefined || Object.keys(benchmark.requirements.judges ?? {}).length > 0)
        judged = true;
      if (benchmark.requirements.sandbox) sandboxed = true;
    }
  }
  if (judged && !configuration.predictOnly) {
    const { file, flags, tasks } = configuration.judges;
    const named = [
      file,
      flags,
      ...Object.values(tasks).flatMap(({ task, roles }) => [task, ...Object.values(roles)]),
    ]
      .map((level) => level.backend)
      .filter((backend) => backend !== undefined);
    const backends = new Set(named);
    if (file.backend === undefined && flags.backend === undefined) backends.add(DEFAULT_JUDGE_BACKEND);
    for (const backend of backends) chosen.push(findPlugin(plugins, 'backend', backend));
  }
  if (sandboxed && !configuration.predictOnly) {
    const id = configuration.sandbox === 'docker' ? 'docker' : 'process';
    chosen.push(findPlugin(plugins, 'sandbox', id));
    warnings.push(
      id === 'docker'
        ? 'generated code runs in Docker, which pods rarely have: --sandbox process (bubblewrap in the image) is the usual choice on Kubernetes.'
        : `generated code runs in the process sandbox, which needs bubblewrap (bwrap) in the image and user namespaces in the pod; ${DEFAULT_IMAGE} has no bwrap: use an --image with it, or add --confirm_run_unsafe_code to the run command to run the code in the pod without isolation.`,
    );
  }
  const specifiers = new Set([`@evalchemy/cli@${ownVersion()}`]);
  for (const plugin of chosen) specifiers.add(`${plugin.packageName}@${plugin.packageVersion}`);
  return { packages: [...specifiers], warnings };
}

/** `--config X` or `--config=X` with another value. */
function replaceFlagValue(argv: readonly string[], flag: string, value: string): string[] {
  const normalised = normaliseFlags([...argv]);
  const result = [...argv];
  for (let index = 0; index < normalised.length; index += 1) {
    const argument = normalised[index] ?? '';
    if (argument === flag) result[index + 1] = value;
    else if (argument.startsWith(`${flag}=`)) result[index] = `${argument.slice(0, flag.length)}=${value}`;
  }
  return result;
}

function defaultName(runName: string): string {
  const cleaned = runName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `evalchemy-${cleaned.slice(0, 8).replace(/-+$/, '') || 'run'}`;
}

/** A Kubernetes object name (RFC 1123: lowercase letters, digits, "-" and, for longer names, "."). */
function checkName(name: string, flag: string, maximum: number): void {
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (name.length > maximum || !(maximum > 63 ? subdomain : label).test(name)) {
    throw new ConfigurationError(
      `${flag} must be a Kubernetes name of at most ${maximum} characters: lowercase letters, digits and "-"${maximum > 63 ? ' or "."' : ''}, starting and ending with a letter or digit; got "${name}".`,
    );
  }
}

function header(settings: K8sManifestSettings, deadlineHours: number): string {
  const namespace = settings.namespace !== undefined ? ` -n ${settings.namespace}` : '';
  return [
    `evalchemy k8s manifest: run ${settings.runId}, ${settings.shards} shards (written by @evalchemy/cli ${ownVersion()}).`,
    '',
    'Needs Kubernetes 1.29 or later (backoffLimitPerIndex), and in the namespace:',
    `  - PersistentVolumeClaim "${settings.pvc}" with ReadWriteMany access, mounted at ${SHARED_MOUNT} in every pod:`,
    `    results in ${runDirectory(settings.runId)}, the response cache in ${SHARED_CACHE}.`,
    settings.secret !== undefined
      ? `  - Secret "${settings.secret}": every key becomes an environment variable (OPENAI_API_KEY, HF_TOKEN, ...).`
      : '  - no Secret (--secret NAME gives the pods API keys from one).',
    '',
    `Apply: kubectl apply${namespace} -f THIS_FILE`,
    `Watch: kubectl get job${namespace} ${settings.name} ${settings.name}-merge; kubectl logs${namespace} job/${settings.name}-merge -c wait-for-shards`,
    '',
    `Shard i runs with --shard i/${settings.shards}. A shard that fails is retried up to ${settings.backoffLimit} times on its own`,
    '(backoffLimitPerIndex); exit codes 2, 3 and 5 are not retried. The merge Job waits until every shard has',
    `succeeded (${runDirectory(settings.runId)}/done/shard-i-of-${settings.shards}), then runs evalchemy merge; if a shard`,
    `never does, the merge Job fails after ${deadlineHours} hours`,
    '(activeDeadlineSeconds). To finish such a run, delete both Jobs and apply this file again: the cache on',
    'the volume answers every request a shard already completed.',
  ].join('\n');
}
