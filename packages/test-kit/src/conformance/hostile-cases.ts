import { existsSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionLimitsV1, ExecutionResultV1, SandboxProgramV1 } from '@evalchemy/core';

/** What the hostile programs aim at; the test sets these up on the host before running them. */
export interface HostileCaseSettings {
  /** A value the test has put in its own `process.env` (e.g. as OPENAI_API_KEY); it must not leak. */
  secret: string;
  /** A unique token used in file names, so host-side checks find exactly this run's files. */
  token: string;
  /** A TCP port on 127.0.0.1 of the host where the test listens; the socket case tries to reach it. */
  hostPort?: number;
  /** Host directories the write case tries to create a file in. Default: the temp dir, the cwd and HOME. */
  hostDirectories?: string[];
}

/** One hostile program and the check that the sandbox contained it. */
export interface HostileCase {
  name: string;
  /** What the program attempts. */
  description: string;
  program: SandboxProgramV1;
  limits: ExecutionLimitsV1;
  /**
   * False when the case harms the host unless the sandbox isolates it (writing host files, reading or killing
   * the parent): skip those with `unsafe_no_isolation`.
   */
  needsIsolation: boolean;
  /** Problems seen in the result; empty when the sandbox contained the program. May inspect the host. */
  check(result: ExecutionResultV1): string[];
}

const python = (source: string, stdin?: string): SandboxProgramV1 => ({
  language: 'python',
  source,
  ...(stdin === undefined ? {} : { stdin }),
});

/**
 * Programs that a sandbox must survive: each must end as a result (failed or timed out) with the host and the
 * run unharmed. Run a normal program after each one to prove the sandbox still works.
 */
export function hostileCases(settings: HostileCaseSettings): HostileCase[] {
  const hostDirectories = settings.hostDirectories ?? [tmpdir(), process.cwd(), homedir()];
  const fileName = `evalchemy-escape-${settings.token}`;
  const targets = [...new Set([...hostDirectories, '/', '/usr', '/etc'])].map((directory) =>
    join(directory, fileName),
  );
  const ports = settings.hostPort === undefined ? [] : [settings.hostPort];
  return [
    {
      name: 'infinite-loop',
      description: 'spins forever',
      program: python('while True:\n    pass\n'),
      limits: { timeoutMs: 2_000 },
      needsIsolation: false,
      check: (result) => (result.timedOut ? [] : ['an endless loop was not reported as timed out']),
    },
    {
      name: 'fork-bomb',
      description: 'forks without end, ignoring failures',
      program: python(
        'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
      ),
      limits: { timeoutMs: 5_000 },
      needsIsolation: false,
      check: (result) => (result.exitCode === 0 ? ['a fork bomb exited with 0'] : []),
    },
    {
      name: 'memory-bomb',
      description: 'fills memory in 64 MiB blocks up to 100 GiB',
      program: python(
        'blocks = []\nfor _ in range(1600):\n    blocks.append(b"\\x01" * (64 * 1024 * 1024))\nprint("allocated 100 GiB")\n',
      ),
      limits: { timeoutMs: 30_000, memoryMb: 512 },
      needsIsolation: false,
      check: (result) =>
        result.exitCode === 0 || result.stdout.includes('allocated')
          ? ['a program allocated 100 GiB without being stopped']
          : [],
    },
    {
      name: 'network',
      description: 'connects to the host on 127.0.0.1 and to public addresses, resolves a name',
      program: python(
        [
          'import socket',
          `ports = ${JSON.stringify(ports)}`,
          'reached = []',
          'for host, port in [("127.0.0.1", p) for p in ports] + [("1.1.1.1", 53), ("8.8.8.8", 53), ("151.101.0.223", 443)]:',
          '    try:',
          '        socket.create_connection((host, port), timeout=2).close()',
          '        reached.append(f"{host}:{port}")',
          '    except OSError:',
          '        pass',
          'try:',
          '    socket.getaddrinfo("pypi.org", 443)',
          '    reached.append("dns")',
          'except OSError:',
          '    pass',
          'print("CONNECTED " + " ".join(reached) if reached else "isolated")',
          'raise SystemExit(1 if reached else 0)',
        ].join('\n'),
      ),
      limits: { timeoutMs: 30_000 },
      needsIsolation: true,
      check: (result) =>
        result.stdout.includes('CONNECTED') ? [`network reachable: ${result.stdout.trim()}`] : [],
    },
    {
      name: 'write-outside',
      description:
        'creates files outside its working directory (host temp dir, cwd, HOME, /, /usr, /etc): none may ' +
        'appear on the host, and /, /usr and /etc must be read-only (a private /tmp may be writable)',
      program: python(
        [
          'import os',
          `targets = ${JSON.stringify(targets)}`,
          'for path in targets:',
          '    try:',
          '        with open(path, "w") as handle:',
          '            handle.write("escaped")',
          '        print("WROTE " + path)',
          '    except OSError as error:',
          '        print("blocked " + path + ": " + type(error).__name__)',
        ].join('\n'),
      ),
      limits: { timeoutMs: 10_000 },
      needsIsolation: true,
      check: (result) => {
        const problems: string[] = [];
        for (const directory of ['/', '/usr', '/etc']) {
          const inside = join(directory, fileName);
          if (result.stdout.includes(`WROTE ${inside}\n`))
            problems.push(`the read-only ${inside} was writable`);
        }
        for (const target of targets) {
          if (existsSync(target)) {
            problems.push(`a sandboxed program created ${target} on the host`);
            rmSync(target, { force: true });
          }
        }
        return problems;
      },
    },
    {
      name: 'read-environment',
      description: "reads its environment, its parent's and every readable /proc/*/environ, and HOME",
      program: python(
        [
          'import os',
          'print(repr(dict(os.environ)))',
          'print("HOME=" + str(os.environ.get("HOME")))',
          'for pid in os.listdir("/proc"):',
          '    if pid.isdigit():',
          '        try:',
          '            print(open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace"))',
          '        except OSError:',
          '            pass',
          'for path in ["/root", "/home", os.path.expanduser("~")]:',
          '    try:',
          '        print(path, os.listdir(path))',
          '    except OSError:',
          '        pass',
        ].join('\n'),
      ),
      limits: { timeoutMs: 10_000 },
      needsIsolation: true,
      check: (result) => {
        const output = result.stdout + result.stderr;
        const problems: string[] = [];
        if (output.includes(settings.secret)) problems.push("the parent's secret was visible inside");
        if (!result.stdout.includes('HOME=None')) problems.push('HOME was set inside the sandbox');
        return problems;
      },
    },
    {
      name: 'kill-parent',
      description: 'kills its parent with SIGKILL, then every process it may signal (kill -9 -1)',
      program: python(
        'import os\ntry:\n    os.kill(os.getppid(), 9)\nexcept OSError:\n    pass\nos.kill(-1, 9)\n',
      ),
      limits: { timeoutMs: 10_000 },
      needsIsolation: true,
      check: () => [],
    },
    {
      name: 'fill-shared-memory',
      description:
        'writes files of 32 MiB to /dev/shm and to /dev until refused, up to 1 GiB each: /dev must be ' +
        "read-only and /dev/shm at most 64 MiB, as in Docker, not the host's memory",
      program: python(
        [
          'import posix',
          'chunk = bytes(1 << 20)',
          'report = []',
          'for directory in ("/dev/shm", "/dev"):',
          '    written, files = 0, []',
          '    try:',
          '        while written < (1 << 30):',
          '            files.append("%s/evalchemy-fill-%d" % (directory, len(files)))',
          '            with open(files[-1], "wb", 0) as handle:',
          '                for _ in range(32):',
          '                    written += handle.write(chunk)',
          '    except OSError:',
          '        pass',
          '    for path in files:',
          '        try:',
          '            posix.unlink(path)',
          '        except OSError:',
          '            pass',
          '    report.append("%s=%d" % (directory, written))',
          'print("FILLED " + " ".join(report))',
        ].join('\n'),
      ),
      limits: { timeoutMs: 60_000 },
      // Without isolation it would fill the host's own /dev/shm.
      needsIsolation: true,
      check: (result) => {
        const filled = /FILLED (.*)/.exec(result.stdout)?.[1];
        if (filled === undefined) return [`did not report what it wrote: ${result.stderr.slice(-300)}`];
        return filled.split(' ').flatMap((entry) => {
          const [directory, bytes] = entry.split('=');
          return Number(bytes) > 64 * 1024 * 1024
            ? [`wrote ${Number(bytes) / 2 ** 20} MiB to ${directory}, more than 64 MiB`]
            : [];
        });
      },
    },
    {
      name: 'flood-output',
      description: 'prints 100 MiB to stdout',
      program: python(
        'import sys\nchunk = b"x" * (1024 * 1024)\nfor _ in range(100):\n    sys.stdout.buffer.write(chunk)\n',
      ),
      limits: { timeoutMs: 60_000, maxOutputBytes: 1024 * 1024 },
      needsIsolation: false,
      check: (result) => {
        const problems: string[] = [];
        if (!result.outputTruncated) problems.push('100 MiB of output was not marked truncated');
        if (Buffer.byteLength(result.stdout) > 1024 * 1024) {
          problems.push(`kept ${Buffer.byteLength(result.stdout)} bytes of stdout, more than maxOutputBytes`);
        }
        return problems;
      },
    },
    {
      name: 'background-daemon',
      description: 'leaves a detached process behind that holds stdout open for ten minutes',
      program: python(
        'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(600)\n    os._exit(0)\nprint("parent done")\n',
      ),
      limits: { timeoutMs: 10_000 },
      // Without isolation the detached process outlives the run on the host.
      needsIsolation: true,
      check: (result) => (result.stdout.includes('parent done') ? [] : ['the parent did not finish']),
    },
  ];
}
