import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readResultsFile,
  type ScriptedServer,
  sharedDatasetsDirectory,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { execa } from 'execa';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { evalchemy } from './__fixtures__/evalchemy-cli.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const cliVersion = (
  JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, read field by field in assertions
type Manifest = Record<string, any>;

/** `evalchemy k8s manifest` through the built CLI: its exit code, the YAML documents and standard error. */
async function manifest(args: string[], env: Record<string, string> = {}) {
  const result = await evalchemy(['k8s', 'manifest', ...args], { env });
  const documents =
    result.exitCode === 0 ? parseAllDocuments(result.stdout).map((document) => document.toJS()) : [];
  return { ...result, documents: documents as Manifest[] };
}

/** Validates one object against the Kubernetes OpenAPI schema (kubernetes-models' generated validators). */
function validate(object: Manifest): void {
  if (object.apiVersion === 'batch/v1' && object.kind === 'Job') new Job(object as never).validate();
  else if (object.apiVersion === 'v1' && object.kind === 'ConfigMap')
    new ConfigMap(object as never).validate();
  else throw new Error(`unexpected object ${object.apiVersion} ${object.kind}`);
}

/**
 * The objects' fields the Kubernetes API does not have: the OpenAPI schema allows unknown fields, so the objects
 * are also typechecked as object literals against kubernetes-models' interfaces (generated from the same schema),
 * where TypeScript reports every field that no interface declares. The compiler's messages; none when all fit.
 */
function unknownFields(objects: Manifest[]): string[] {
  const fileName = join(packageDirectory, 'k8s-manifest-fields.ts');
  const types: Record<string, string> = { Job: 'IJob', ConfigMap: 'IConfigMap' };
  const source = [
    "import type { IJob } from 'kubernetes-models/batch/v1';",
    "import type { IConfigMap } from 'kubernetes-models/v1';",
    ...objects.map(
      (object, index) => `export const object${index}: ${types[object.kind]} = ${JSON.stringify(object)};`,
    ),
  ].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, version)
      : getSourceFile.call(host, name, version, ...rest);
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
}

const jobs = (documents: Manifest[]) => {
  const [shardJob, mergeJob] = documents.filter((object) => object.kind === 'Job');
  return { shardJob: shardJob as Manifest, mergeJob: mergeJob as Manifest };
};

const openaiCommand = ['run', '--model', 'openai', '--model_args', 'model=gpt-4o-mini', '--tasks', 'gsm8k'];

describe('evalchemy k8s manifest: the objects are valid Kubernetes objects', () => {
  const combinations: [string, string[]][] = [
    ['defaults', ['--shards', '4', '--', ...openaiCommand]],
    [
      'GPUs, own image, Secret, namespace, name, parallelism, retries',
      [
        '--shards',
        '128',
        '--gpus_per_shard',
        '2',
        '--image',
        'registry.example/evalchemy:1',
        '--secret',
        'llm-keys',
        '--namespace',
        'evals',
        '--name',
        'nightly',
        '--parallelism',
        '16',
        '--backoff_limit',
        '0',
        '--pvc',
        'evalchemy-results',
        '--merge_deadline',
        '12',
        '--',
        'run',
        '--model',
        'vllm',
        '--model_args',
        'pretrained=org/model,tensor_parallel_size=2',
        '--tasks',
        'aime24,math500',
      ],
    ],
    [
      'a shipped suite with judged and sandboxed tasks',
      ['--shards', '8', '--', 'run', '--config', 'reasoning', '--model', 'openai', '--model_args', 'model=m'],
    ],
    [
      'a judged task',
      [
        '--shards',
        '2',
        '--secret',
        'keys',
        '--',
        'run',
        '--model',
        'openai',
        '--model_args',
        'model=m',
        '--tasks',
        'mtbench',
      ],
    ],
  ];
  for (const [label, args] of combinations) {
    it(`validates every object: ${label}`, async () => {
      const result = await manifest(args);
      expect(result.stderr).not.toMatch(/error/);
      expect(result.exitCode).toBe(0);
      expect(result.documents.length).toBeGreaterThanOrEqual(2);
      for (const object of result.documents) validate(object);
      expect(unknownFields(result.documents)).toEqual([]);
      const { shardJob, mergeJob } = jobs(result.documents);
      if (args.includes('--namespace')) {
        for (const object of result.documents) expect(object.metadata.namespace).toBe('evals');
      }
      expect(shardJob.spec).toMatchObject({
        completionMode: 'Indexed',
        template: { spec: { restartPolicy: 'Never' } },
      });
      expect(mergeJob.spec.template.spec.restartPolicy).toBe('Never');
    });
  }

  it('with a local config file, writes it into a ConfigMap that the shards read', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-k8s-'));
    const config = 'tasks:\n  gsm8k:\n    num_fewshot: 0\nlimit: 5\n';
    await writeFile(join(directory, 'suite.yaml'), config);
    const result = await evalchemy(
      [
        'k8s',
        'manifest',
        '--shards',
        '3',
        '--name',
        'suite',
        '--',
        'run',
        '--config',
        'suite.yaml',
        '--model',
        'openai',
        '--model_args',
        'model=m',
      ],
      { cwd: directory },
    );
    expect(result.stderr).toBe('');
    const documents = parseAllDocuments(result.stdout).map((document) => document.toJS()) as Manifest[];
    for (const object of documents) validate(object);
    expect(unknownFields(documents)).toEqual([]);
    const configMap = documents.find((object) => object.kind === 'ConfigMap')!;
    expect(configMap.metadata.name).toBe('suite-config');
    expect(configMap.data).toEqual({ 'suite.yaml': config });
    const container = jobs(documents).shardJob.spec.template.spec.containers[0];
    const run = (container.args as string[]).indexOf('run');
    expect(container.args.slice(run, run + 3)).toEqual(['run', '--config', '/etc/evalchemy/suite.yaml']);
    expect(container.volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/etc/evalchemy',
      readOnly: true,
    });
  });
});

describe('the validator is real: a wrong manifest is caught', () => {
  it('rejects a bad completion mode, a string count, a missing container list and a wrong volume source', async () => {
    const { documents } = await manifest(['--shards', '4', '--', ...openaiCommand]);
    const { shardJob } = jobs(documents);
    expect(() => validate(shardJob)).not.toThrow();
    const broken = (change: (job: Manifest) => void) => {
      const copy = structuredClone(shardJob);
      change(copy);
      return () => validate(copy);
    };
    expect(broken((job) => (job.spec.completionMode = 'indexed'))).toThrow(/completionMode/);
    expect(broken((job) => (job.spec.completions = '4'))).toThrow(/completions must be integer/);
    expect(broken((job) => delete job.spec.template.spec.containers)).toThrow(/containers/);
    expect(broken((job) => (job.spec.template.spec.volumes[0].persistentVolumeClaim = {}))).toThrow(
      /claimName/,
    );
    expect(broken((job) => (job.spec.podFailurePolicy.rules[0].action = 'Retry'))).toThrow(/action/);
    // A misspelt field passes the schema (it allows unknown fields) but not the typecheck.
    const misspelt = structuredClone(shardJob);
    misspelt.spec.backoffLimitPerIndx = misspelt.spec.backoffLimitPerIndex;
    expect(() => validate(misspelt)).not.toThrow();
    const problems = unknownFields([misspelt]).join('\n');
    expect(problems).toMatch(/'"backoffLimitPerIndx"' does not exist in type 'I(IoK8sApiBatchV1)?JobSpec'/);
    const misspeltDeeper = structuredClone(shardJob);
    misspeltDeeper.spec.template.spec.containers[0].envFromm = [];
    expect(unknownFields([misspeltDeeper]).join('\n')).toMatch(
      /'"envFromm"' does not exist in type 'I(IoK8sApiCoreV1)?Container'/,
    );
  });
});

describe('shards and secrets', () => {
  it('gives each pod its shard from JOB_COMPLETION_INDEX, one run id, the shared volume and the pinned packages', async () => {
    const { documents, exitCode } = await manifest([
      '--shards',
      '5',
      '--gpus_per_shard',
      '1',
      '--',
      ...openaiCommand,
    ]);
    expect(exitCode).toBe(0);
    const { shardJob, mergeJob } = jobs(documents);
    expect(shardJob.spec).toMatchObject({ completions: 5, parallelism: 5, backoffLimitPerIndex: 2 });
    const container = shardJob.spec.template.spec.containers[0];
    // `$(VAR)` in args is expanded by Kubernetes from the container's environment; the variable is declared from
    // the completion-index annotation.
    expect(container.env).toContainEqual({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: {
        fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
      },
    });
    const runId = shardJob.metadata.labels['evalchemy.dev/run-id'] as string;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const npx = [
      'npx',
      '--yes',
      '--package',
      `@evalchemy/cli@${cliVersion}`,
      '--package',
      expect.stringMatching(/^@evalchemy\/backend-openai@\d+\.\d+\.\d+/),
      '--package',
      expect.stringMatching(/^@evalchemy\/benchmark-gsm8k@\d+\.\d+\.\d+/),
      'evalchemy',
    ];
    // A shell runs the command and marks the shard done only when it succeeds.
    expect(container.command).toEqual([
      'sh',
      '-c',
      expect.stringContaining('"$@" || exit $?'),
      'evalchemy-shard',
    ]);
    expect(container.args).toEqual([
      ...npx,
      ...openaiCommand,
      '--shard',
      '$(JOB_COMPLETION_INDEX)/5',
      '--run_id',
      runId,
      '--output_path',
      `/evalchemy/runs/${runId}`,
    ]);
    expect(container.env).toContainEqual({ name: 'EVALCHEMY_CACHE_DIR', value: '/evalchemy/cache' });
    expect(container.env).toContainEqual({
      name: 'EVALCHEMY_SHARD_MARKER',
      value: `/evalchemy/runs/${runId}/done/shard-$(JOB_COMPLETION_INDEX)-of-5`,
    });
    expect(container.resources).toEqual({
      requests: { 'nvidia.com/gpu': 1 },
      limits: { 'nvidia.com/gpu': 1 },
    });
    expect(container.image).toBe('node:22-bookworm-slim');
    const merge = mergeJob.spec.template.spec.containers[0];
    expect(merge.command).toEqual(npx);
    expect(merge.args).toEqual(['merge', `/evalchemy/runs/${runId}`, '--run_id', runId]);
    expect(merge.resources).toBeUndefined();
    // A second manifest is another run.
    const again = await manifest(['--shards', '5', '--', ...openaiCommand]);
    expect(jobs(again.documents).shardJob.metadata.labels['evalchemy.dev/run-id']).not.toBe(runId);
  });

  it('installs every package of a suite: the reasoning config pins its six benchmarks', async () => {
    const { documents } = await manifest([
      '--shards',
      '8',
      '--',
      'run',
      '--config',
      'reasoning',
      '--model',
      'openai',
      '--model_args',
      'model=m',
    ]);
    const command = jobs(documents).shardJob.spec.template.spec.containers[0].args as string[];
    const packages = command
      .filter((word) => word.startsWith('@evalchemy/'))
      .map((word) => word.replace(/@[^@]+$/, ''));
    expect(packages).toEqual(
      expect.arrayContaining(
        ['aime24', 'amc23', 'math500', 'gpqa_diamond', 'humaneval', 'mbpp'].map(
          (id) => `@evalchemy/benchmark-${id}`,
        ),
      ),
    );
    expect(packages).toContain('@evalchemy/sandbox-process');
  });

  it('takes keys from the Secret and never writes one: an API key in the environment stays out', async () => {
    const key = 'sk-test-do-not-write-0123456789';
    const result = await manifest(['--shards', '2', '--secret', 'llm-keys', '--', ...openaiCommand], {
      OPENAI_API_KEY: key,
      EVALCHEMY_JUDGE_API_KEY: key,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(key);
    for (const job of Object.values(jobs(result.documents))) {
      expect(job.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'llm-keys' } }]);
    }
  });

  it('refuses api_key= in --model_args, --judge_args or the config file, naming the Secret, without showing the key', async () => {
    const key = 'sk-inline-secret-987654321';
    for (const command of [
      ['run', '--model', 'openai', '--model_args', `model=m,api_key=${key}`, '--tasks', 'gsm8k'],
      ['run', '--model', 'openai', '--model_args', `{"model":"m","api_key":"${key}"}`, '--tasks', 'gsm8k'],
      [
        'run',
        '--model',
        'openai',
        '--model_args',
        'model=m',
        '--tasks',
        'mtbench',
        '--judge_args',
        `api_key=${key}`,
      ],
    ]) {
      const result = await manifest(['--shards', '2', '--', ...command]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /api_key= in --(model|judge)_args would write a secret into the manifest: put it in a Kubernetes Secret/,
      );
      expect(result.stdout + result.stderr).not.toContain(key);
    }
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-k8s-'));
    await writeFile(
      join(directory, 'keyed.yaml'),
      `tasks: [gsm8k]\nmodel_args:\n  model: m\n  api_key: ${key}\n`,
    );
    const fromFile = await evalchemy(
      ['k8s', 'manifest', '--shards', '2', '--', 'run', '--config', 'keyed.yaml', '--model', 'openai'],
      { cwd: directory },
    );
    expect(fromFile.exitCode).toBe(2);
    expect(fromFile.stderr).toMatch(/api_key= in model_args of the config file/);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(key);
  });
});

describe('--output', () => {
  it('writes the YAML to the file and says how to apply it; an unwritable file exits 6', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-k8s-'));
    const written = await evalchemy(
      [
        'k8s',
        'manifest',
        '--shards',
        '2',
        '--run_id',
        'nightly',
        '--output',
        'run.yaml',
        '--',
        ...openaiCommand,
      ],
      { cwd: directory },
    );
    expect(written.exitCode).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toMatch(
      /Wrote the manifests of run nightly \(2 shards\) to .*run\.yaml: apply them with "kubectl apply -f run\.yaml"/,
    );
    const documents = parseAllDocuments(await readFile(join(directory, 'run.yaml'), 'utf8')).map((document) =>
      document.toJS(),
    ) as Manifest[];
    for (const object of documents) validate(object);
    expect(jobs(documents).shardJob.metadata.name).toBe('evalchemy-nightly');
    const unwritable = await evalchemy([
      'k8s',
      'manifest',
      '--shards',
      '2',
      '--output',
      join(directory, 'no', 'such', 'run.yaml'),
      '--',
      ...openaiCommand,
    ]);
    expect(unwritable.exitCode).toBe(6);
    expect(unwritable.stderr).toMatch(/Cannot write the manifests to .*run\.yaml/);
  });
});

describe('help', () => {
  it('prints the usage: exit 0 when asked for, 2 for "evalchemy k8s" alone', async () => {
    const asked = await evalchemy(['k8s', 'manifest', '--help']);
    expect(asked.exitCode).toBe(0);
    expect(asked.stdout).toMatch(/^Usage: evalchemy k8s manifest --shards N/);
    expect(asked.stdout).toMatch(/--secret NAME/);
    const bare = await evalchemy(['k8s']);
    expect(bare.exitCode).toBe(2);
    expect(bare.stdout).toMatch(/^Usage: evalchemy k8s manifest/);
  });

  it('warns that the default image has no vLLM when the shards start their own', async () => {
    const result = await manifest([
      '--shards',
      '2',
      '--',
      'run',
      '--model',
      'vllm',
      '--model_args',
      'pretrained=org/model',
      '--tasks',
      'gsm8k',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(
      /warning: backend vllm starts vLLM inside each shard pod, and node:22-bookworm-slim has no vLLM/,
    );
  });
});

describe('errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --shards', ['--', ...openaiCommand], /--shards N is required/],
    ['--shards 0', ['--shards', '0', '--', ...openaiCommand], /--shards must be an integer ≥ 1, got "0"/],
    [
      '--shards two',
      ['--shards', 'two', '--', ...openaiCommand],
      /--shards must be an integer ≥ 1, got "two"/,
    ],
    ['no "--"', ['--shards', '2', ...openaiCommand], /Give the evalchemy command each shard runs after "--"/],
    ['no command after "--"', ['--shards', '2', '--'], /starting with "run"/],
    [
      'a command other than run',
      ['--shards', '2', '--', 'merge', 'results'],
      /starting with "run".*got "merge"/,
    ],
    [
      '--shard in the command',
      ['--shards', '2', '--', ...openaiCommand, '--shard', '0/2'],
      /--shard is set by evalchemy k8s manifest/,
    ],
    [
      '--num_shards in the command',
      ['--shards', '2', '--', ...openaiCommand, '--num_shards', '2'],
      /--num_shards is set by evalchemy k8s manifest/,
    ],
    [
      '--shard_index in the command',
      ['--shards', '2', '--', ...openaiCommand, '--shard-index=1'],
      /--shard_index is set by evalchemy k8s manifest/,
    ],
    [
      '--run_id in the command',
      ['--shards', '2', '--', ...openaiCommand, '--run_id', 'x'],
      /--run_id is set by evalchemy k8s manifest/,
    ],
    [
      '--output_path in the command',
      ['--shards', '2', '--', ...openaiCommand, '--output_path=out'],
      /--output_path is set by evalchemy k8s manifest/,
    ],
    [
      '-o in the command',
      ['--shards', '2', '--', ...openaiCommand, '-o', 'out'],
      /-o is set by evalchemy k8s manifest/,
    ],
    [
      'a bad name',
      ['--shards', '2', '--name', 'Nightly_Run', '--', ...openaiCommand],
      /--name must be a Kubernetes name/,
    ],
    [
      'an unknown flag of the run',
      ['--shards', '2', '--', ...openaiCommand, '--bogus'],
      /Unknown option '--bogus'/,
    ],
    [
      'a task not installed',
      ['--shards', '2', '--', 'run', '--model', 'openai', '--tasks', 'nosuchtask'],
      /No benchmark named "nosuchtask"/,
    ],
  ];
  for (const [label, args, message] of cases) {
    it(`exits 2 with a message: ${label}`, async () => {
      const result = await manifest(args);
      expect(result.stderr).toMatch(message);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
    });
  }
});

/** `$(VAR)` expanded as Kubernetes does in a container's command, args and env values (`$$` escapes a `$`). */
function expandAsKubernetes(word: string, env: Record<string, string>): string {
  return word.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    name === undefined ? '$' : (env[name] ?? match),
  );
}

/**
 * A container's environment as its pod gets it: the completion index from the annotation, then each value with the
 * variables before it expanded, on the test's volume.
 */
function podEnvironment(container: Manifest, index: string, onVolume: (word: string) => string) {
  const env: Record<string, string> = {};
  for (const entry of (container.env ?? []) as Manifest[]) {
    if (entry.valueFrom !== undefined) env[entry.name] = index;
    else env[entry.name] = onVolume(expandAsKubernetes(entry.value, env));
  }
  return env;
}

describe('the manifest runs: shards and merge as the pods would run them', () => {
  it('shard i of the Indexed Job writes shard i, the merge Job waits for all and merges them into one run', async () => {
    server = await startScriptedServer({ reply: () => 'The answer is 18.' });
    const { documents, exitCode } = await manifest([
      '--shards',
      '2',
      '--image',
      'evalchemy:test',
      '--run_id',
      'k8s-test-run',
      '--',
      'run',
      '--model',
      'openai',
      '--model_args',
      `model=m,base_url=${server.url}`,
      '--tasks',
      'gsm8k',
      '--limit',
      '5',
    ]);
    expect(exitCode).toBe(0);
    const { shardJob, mergeJob } = jobs(documents);
    // The shared volume is a folder here: /evalchemy becomes it; the image's `evalchemy` is the built CLI.
    const volume = await mkdtemp(join(tmpdir(), 'evalchemy-volume-'));
    const onVolume = (word: string) => word.replaceAll('/evalchemy', volume);
    const binDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-image-bin-'));
    await writeFile(join(binDirectory, 'evalchemy'), `#!/bin/sh\nexec node ${bin} "$@"\n`, { mode: 0o755 });
    /** Runs a container's command and args as its pod would (shard `index`), in the volume. */
    const runContainer = (container: Manifest, index: string) => {
      const env = podEnvironment(container, index, onVolume);
      const words = [...container.command, ...(container.args ?? [])].map((word: string) =>
        onVolume(expandAsKubernetes(word, env)),
      );
      return execa(words[0]!, words.slice(1), {
        reject: false,
        cwd: volume,
        env: {
          ...env,
          PATH: `${binDirectory}:${process.env.PATH ?? ''}`,
          EVALCHEMY_DATASETS_DIR: sharedDatasetsDirectory(),
        },
      });
    };

    const wait = { ...mergeJob.spec.template.spec.initContainers[0] };
    wait.command = [...wait.command.slice(0, -1), '1']; // look every second instead of every 30
    const waiting = runContainer(wait, '');
    let waitOutput = '';
    await new Promise<void>((resolveWait) => {
      waiting.stdout?.on('data', (chunk: Buffer) => {
        waitOutput += chunk.toString();
        if (waitOutput.includes('waiting for shards: 0 1')) resolveWait();
      });
    });

    const shard = shardJob.spec.template.spec.containers[0];
    // A shard that fails leaves no marker, and its exit code is the container's (2: a retry cannot help).
    const failed = await runContainer(shard, '7');
    expect(failed.exitCode).toBe(2);
    expect(failed.stderr).toMatch(/shard 7 of 2 does not exist/);
    for (const index of ['1', '0']) {
      const result = await runContainer(shard, index);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    const waited = await waiting;
    expect(waited.exitCode).toBe(0);
    expect(waited.stdout).toContain('all 2 shards succeeded');
    expect((await readdir(join(volume, 'runs', 'k8s-test-run', 'done'))).sort()).toEqual([
      'shard-0-of-2',
      'shard-1-of-2',
    ]);

    const runFolder = join(volume, 'runs', 'k8s-test-run', 'm');
    const shardFiles = (await readdir(runFolder)).filter((name) => name.startsWith('results_'));
    expect(shardFiles.map((name) => name.replace(/^results_.*_shard/, 'shard')).sort()).toEqual([
      'shard-0-of-2.json',
      'shard-1-of-2.json',
    ]);

    const merged = await runContainer(mergeJob.spec.template.spec.containers[0], '');
    expect(merged.exitCode, merged.stderr).toBe(0);
    const mergedFile = (await readdir(runFolder)).find(
      (name) => /^results_[^s]*\.json$/.test(name) && !name.includes('shard'),
    );
    expect(mergedFile).toBeDefined();
    const results = await readResultsFile(join(runFolder, mergedFile!));
    expect(results['n-samples']?.gsm8k).toMatchObject({ effective: 5 });
    // Every request was sent once, by the shard that owned its sample.
    expect(server.requestCount).toBe(5);
  });
});
