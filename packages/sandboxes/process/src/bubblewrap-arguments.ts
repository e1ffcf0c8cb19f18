import { lstatSync, readlinkSync } from 'node:fs';

/** What one bubblewrap execution needs to know. */
export interface BubblewrapPlan {
  python: string;
  memoryMb: number;
  cpuSeconds: number;
  maxProcesses: number;
  maxFileSizeMb: number;
  workDirectorySizeMb: number;
  extraReadOnlyPaths: readonly string[];
  /** File descriptor from which bwrap reads the seccomp program (`systemVIpcFilter`), when there is one. */
  seccompFd?: number | undefined;
}

/** Size of the sandbox's /dev/shm, the default of Docker's (`ShmSize`). */
export const shmSizeMb = 64;

/** The sandbox's environment: nothing of the host's, so no API keys and no HOME. */
export const sandboxEnvironment: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
};

// Top-level directories that hold programs and libraries. On merged-/usr systems they are symlinks into /usr
// and are recreated as symlinks; elsewhere they are bound read-only.
const systemDirectories = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
// Files under /etc that the dynamic loader and Python read; the rest of /etc (and /root, /home, the
// repository, caches) does not exist inside.
const etcFiles = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/localtime', '/etc/alternatives'];

/**
 * The bwrap command line for one execution (bubblewrap ≥ 0.8): a fresh user, PID, network, IPC, UTS and cgroup
 * namespace, a read-only minimal root (/usr and the library directories), a read-only /dev but for a 64 MiB
 * /dev/shm, private size-limited tmpfs /work and /tmp, and the program started under `prlimit` so the limits
 * apply inside the new user namespace only.
 */
export function bubblewrapArguments(plan: BubblewrapPlan): string[] {
  const args = ['--unshare-all', '--unshare-user', '--uid', '65534', '--gid', '65534'];
  args.push('--die-with-parent', '--new-session', '--hostname', 'sandbox', '--disable-userns');
  if (plan.seccompFd !== undefined) args.push('--seccomp', String(plan.seccompFd));
  args.push('--ro-bind', '/usr', '/usr');
  for (const directory of systemDirectories) {
    const link = symlinkTarget(directory);
    if (link !== undefined) args.push('--symlink', link, directory);
    else args.push('--ro-bind-try', directory, directory);
  }
  for (const file of etcFiles) args.push('--ro-bind-try', file, file);
  // bwrap's /dev is a tmpfs as large as the host's: only its device nodes and a bounded /dev/shm stay writable.
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(shmSizeMb * 1024 * 1024),
    '--tmpfs',
    '/dev/shm',
  );
  args.push('--remount-ro', '/dev');
  const tmpfsBytes = String(plan.workDirectorySizeMb * 1024 * 1024);
  for (const directory of ['/tmp', '/work']) args.push('--size', tmpfsBytes, '--tmpfs', directory);
  // After the tmpfs mounts, so that a path under /tmp is not hidden by the sandbox's own /tmp.
  for (const path of plan.extraReadOnlyPaths) args.push('--ro-bind', path, path);
  // The root is bubblewrap's own tmpfs; making it read-only leaves /work, /tmp and /dev/shm the only writable
  // places.
  args.push('--remount-ro', '/', '--file', '3', '/work/main.py', '--chdir', '/work', '--clearenv');
  for (const [name, value] of Object.entries(sandboxEnvironment)) args.push('--setenv', name, value);
  args.push('--', ...limitedCommand(plan, ['main.py']));
  return args;
}

/** `prlimit` with the execution's limits in front of `python main.py`. */
export function limitedCommand(
  plan: Pick<BubblewrapPlan, 'python' | 'memoryMb' | 'cpuSeconds' | 'maxProcesses' | 'maxFileSizeMb'>,
  pythonArgs: string[],
): string[] {
  return [
    'prlimit',
    `--as=${plan.memoryMb * 1024 * 1024}`,
    `--cpu=${plan.cpuSeconds}`,
    `--nproc=${plan.maxProcesses}`,
    `--fsize=${plan.maxFileSizeMb * 1024 * 1024}`,
    '--core=0',
    '--nofile=256',
    '--',
    plan.python,
    ...pythonArgs,
  ];
}

function symlinkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}
