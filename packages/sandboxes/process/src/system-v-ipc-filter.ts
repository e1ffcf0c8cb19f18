/**
 * A seccomp program (classic BPF, as `bwrap --seccomp FD` reads it) that makes `shmget`, `msgget` and `semget`
 * fail with EPERM, together with every system call of another ABI (x32, 32-bit compatibility), which could reach
 * them under other numbers. System V shared memory, message queues and semaphores live in the sandbox's IPC
 * namespace, outside any file system and outside RLIMIT_AS once detached: without a cgroup, nothing else bounds
 * the host memory they take. Undefined on architectures without a table here.
 */
export function systemVIpcFilter(arch: string = process.arch): Buffer | undefined {
  const table = architectures[arch];
  if (table === undefined) return undefined;
  const deny = 0x0005_0000 | 1; // SECCOMP_RET_ERRNO | EPERM
  const allow = 0x7fff_0000; // SECCOMP_RET_ALLOW
  // A jump skips that many instructions after its own; `deny` is the last one (index 8).
  const program: [code: number, jumpTrue: number, jumpFalse: number, k: number][] = [
    [loadWord, 0, 0, 4], // seccomp_data.arch
    [jumpEqual, 0, 6, table.audit],
    [loadWord, 0, 0, 0], // seccomp_data.nr
    [jumpGreaterOrEqual, 4, 0, 0x4000_0000], // x32 system calls on x86-64
    [jumpEqual, 3, 0, table.shmget],
    [jumpEqual, 2, 0, table.msgget],
    [jumpEqual, 1, 0, table.semget],
    [ret, 0, 0, allow],
    [ret, 0, 0, deny],
  ];
  const buffer = Buffer.alloc(program.length * 8);
  program.forEach(([code, jumpTrue, jumpFalse, k], index) => {
    buffer.writeUInt16LE(code, index * 8);
    buffer.writeUInt8(jumpTrue, index * 8 + 2);
    buffer.writeUInt8(jumpFalse, index * 8 + 3);
    buffer.writeUInt32LE(k >>> 0, index * 8 + 4);
  });
  return buffer;
}

const loadWord = 0x20; // BPF_LD | BPF_W | BPF_ABS
const jumpEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const jumpGreaterOrEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const ret = 0x06; // BPF_RET | BPF_K

const architectures: Record<string, { audit: number; shmget: number; msgget: number; semget: number }> = {
  x64: { audit: 0xc000_003e, shmget: 29, msgget: 68, semget: 64 },
  arm64: { audit: 0xc000_00b7, shmget: 194, msgget: 186, semget: 190 },
};
