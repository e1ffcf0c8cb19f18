import { stringify } from 'yaml';

/** Where the shared volume (the PersistentVolumeClaim) is mounted in every pod. */
export const SHARED_MOUNT = '/evalchemy';
/** The response cache on the shared volume: shards of every run (and any N) reuse each other's responses. */
export const SHARED_CACHE = `${SHARED_MOUNT}/cache`;
/** Where a local `--config` file is mounted from its ConfigMap. */
export const CONFIG_MOUNT = '/etc/evalchemy';
/** The environment variable the shard's index is read from (set by Kubernetes for an Indexed Job's pods). */
export const INDEX_VARIABLE = 'JOB_COMPLETION_INDEX';
/** Exit codes of `evalchemy run` that a retry cannot change: bad input (2), budget reached (3), key refused (5). */
export const FINAL_EXIT_CODES = [2, 3, 5] as const;

/** What `evalchemy k8s manifest` writes, decided and checked by `k8s-command.ts`. */
export interface K8sManifestSettings {
  /** The Indexed Job's name; the merge Job is `<name>-merge`, a config file's ConfigMap `<name>-config`. */
  name: string;
  namespace?: string;
  /** The run's id, given to every shard (`--run_id`) and to the merge. */
  runId: string;
  shards: number;
  parallelism: number;
  /** Retries of each shard index (`backoffLimitPerIndex`). */
  backoffLimit: number;
  gpusPerShard: number;
  image: string;
  /** The words that start `evalchemy`: `['evalchemy']` for a user's image, `npx … evalchemy` else. */
  entrypoint: readonly string[];
  pvc: string;
  secret?: string;
  /** The arguments after `evalchemy run` that each shard runs, without the shard, run id and output flags. */
  runArguments: readonly string[];
  /** A local `--config` file, carried in a ConfigMap (the arguments already point at `CONFIG_MOUNT`). */
  configFile?: { fileName: string; content: string };
  /** How long the merge Job waits for the shards, in seconds (its `activeDeadlineSeconds`). */
  mergeDeadlineSeconds: number;
  /** Seconds between the merge Job's looks for the shards' results files. */
  pollSeconds: number;
}

/** The shared folder of one run's results and samples files (`--output_path` of every shard). */
export function runDirectory(runId: string): string {
  return `${SHARED_MOUNT}/runs/${runId}`;
}

/** Where each shard that succeeded leaves its marker (`shard-<i>-of-<n>`), beside the run's results. */
export function shardMarkerDirectory(runId: string): string {
  return `${runDirectory(runId)}/done`;
}

/**
 * The shard container's shell: runs the command (its arguments), and only when it exits 0 leaves the marker
 * `EVALCHEMY_SHARD_MARKER`; a failure's exit code is the container's, for the Job's retries and failure policy.
 * A results file alone would not do: a shard that exits 4 writes one, and its retry another.
 */
export const SHARD_SCRIPT = `"$@" || exit $?
mkdir -p "$(dirname "$EVALCHEMY_SHARD_MARKER")" && touch "$EVALCHEMY_SHARD_MARKER"
`;

/**
 * The shell script of the merge Job's init container: it ends once every shard has succeeded (its marker exists
 * in `<run folder>/done`), printing the missing indices meanwhile. Kubernetes has no dependencies between Jobs;
 * this wait is the merge Job's, bounded by its `activeDeadlineSeconds`. Arguments: the run's folder, N, the
 * seconds between looks. POSIX sh, so that any image with a shell runs it.
 */
export const WAIT_FOR_SHARDS_SCRIPT = `dir="$1"; count="$2"; pause="$3"
while :; do
  missing=""
  index=0
  while [ "$index" -lt "$count" ]; do
    [ -e "$dir/done/shard-$index-of-$count" ] || missing="$missing $index"
    index=$((index + 1))
  done
  if [ -z "$missing" ]; then echo "all $count shards succeeded"; exit 0; fi
  echo "waiting for shards:$missing"
  sleep "$pause"
done
`;

type KubernetesObject = Record<string, unknown>;

/**
 * The objects of one sharded run: an Indexed Job of N shards, a merge Job that waits for their results files
 * and runs `evalchemy merge`, and a ConfigMap when a local config file is used. Plain objects, in the order
 * they should be applied.
 */
export function buildK8sManifests(settings: K8sManifestSettings): KubernetesObject[] {
  const labels = {
    'app.kubernetes.io/name': 'evalchemy',
    'app.kubernetes.io/instance': settings.name,
    'evalchemy.dev/run-id': settings.runId,
  };
  const metadata = (name: string, component: string) => ({
    name,
    ...(settings.namespace !== undefined ? { namespace: settings.namespace } : {}),
    labels: { ...labels, 'app.kubernetes.io/component': component },
  });
  const configMapName = `${settings.name}-config`;
  const volumes = [
    { name: 'shared', persistentVolumeClaim: { claimName: settings.pvc } },
    ...(settings.configFile !== undefined ? [{ name: 'config', configMap: { name: configMapName } }] : []),
  ];
  const volumeMounts = [
    { name: 'shared', mountPath: SHARED_MOUNT },
    ...(settings.configFile !== undefined
      ? [{ name: 'config', mountPath: CONFIG_MOUNT, readOnly: true }]
      : []),
  ];
  const envFrom = settings.secret !== undefined ? [{ secretRef: { name: settings.secret } }] : undefined;
  const container = (name: string, command: string[], args: string[], env: KubernetesObject[]) => ({
    name,
    image: settings.image,
    command,
    args,
    workingDir: SHARED_MOUNT,
    env: [{ name: 'EVALCHEMY_CACHE_DIR', value: SHARED_CACHE }, ...env],
    ...(envFrom !== undefined ? { envFrom } : {}),
    volumeMounts,
  });
  const runFolder = runDirectory(settings.runId);

  const gpus = settings.gpusPerShard;
  const shardContainer = {
    ...container(
      'shard',
      ['sh', '-c', SHARD_SCRIPT, 'evalchemy-shard'],
      [
        ...settings.entrypoint,
        'run',
        ...settings.runArguments,
        '--shard',
        `$(${INDEX_VARIABLE})/${settings.shards}`,
        '--run_id',
        settings.runId,
        '--output_path',
        runFolder,
      ],
      // Kubernetes sets JOB_COMPLETION_INDEX in an Indexed Job's pods (unless the container declares it); it is
      // declared here, from the same annotation, so that `$(JOB_COMPLETION_INDEX)` in the arguments and in the
      // marker's path refers to a variable of the manifest. Order matters: `$(VAR)` in a value sees only the
      // variables before it.
      [
        {
          name: INDEX_VARIABLE,
          valueFrom: {
            fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
          },
        },
        {
          name: 'EVALCHEMY_SHARD_MARKER',
          value: `${shardMarkerDirectory(settings.runId)}/shard-$(${INDEX_VARIABLE})-of-${settings.shards}`,
        },
      ],
    ),
    ...(gpus > 0
      ? { resources: { requests: { 'nvidia.com/gpu': gpus }, limits: { 'nvidia.com/gpu': gpus } } }
      : {}),
  };

  const shardJob: KubernetesObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(settings.name, 'shards'),
    spec: {
      completionMode: 'Indexed',
      completions: settings.shards,
      parallelism: settings.parallelism,
      // Each shard retries on its own: one failing shard neither stops the others nor uses up their retries.
      backoffLimitPerIndex: settings.backoffLimit,
      podFailurePolicy: {
        rules: [
          // A retry cannot fix bad input, a reached budget or a refused key: that shard fails at once.
          {
            action: 'FailIndex',
            onExitCodes: { containerName: 'shard', operator: 'In', values: [...FINAL_EXIT_CODES] },
          },
          // A pod evicted or preempted did nothing wrong: its retry does not count.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'shards' } },
        spec: { restartPolicy: 'Never', containers: [shardContainer], volumes },
      },
    },
  };

  const mergeJob: KubernetesObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${settings.name}-merge`, 'merge'),
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: settings.mergeDeadlineSeconds,
      template: {
        metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'merge' } },
        spec: {
          restartPolicy: 'Never',
          initContainers: [
            {
              name: 'wait-for-shards',
              image: settings.image,
              command: [
                'sh',
                '-c',
                WAIT_FOR_SHARDS_SCRIPT,
                'wait-for-shards',
                runFolder,
                String(settings.shards),
                String(settings.pollSeconds),
              ],
              volumeMounts: [{ name: 'shared', mountPath: SHARED_MOUNT }],
            },
          ],
          containers: [
            container(
              'merge',
              [...settings.entrypoint],
              ['merge', runFolder, '--run_id', settings.runId],
              [],
            ),
          ],
          volumes,
        },
      },
    },
  };

  const configMap: KubernetesObject[] =
    settings.configFile !== undefined
      ? [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: metadata(configMapName, 'config'),
            data: { [settings.configFile.fileName]: settings.configFile.content },
          },
        ]
      : [];
  return [...configMap, shardJob, mergeJob];
}

/** The objects as one multi-document YAML stream, after a comment saying how to use it. */
export function manifestsToYaml(objects: readonly KubernetesObject[], header: string): string {
  const comment = header
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
  return `${comment}\n${objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('')}`;
}
