import type { LlamaCppOptions } from './llamacpp-options.js';

/**
 * The prebuilt llama.cpp packages node-llama-cpp loads for `gpu` on a platform (the CUDA build comes in two
 * parts), as `@node-llama-cpp/<build>`; empty when it publishes none. `auto`, and `metal` off macOS, end on
 * the CPU build. @evalchemy/node-llama-cpp installs only the CPU builds for x64 and Apple silicon, so these
 * name what a user adds for the rest.
 */
export function prebuiltPackages(gpu: LlamaCppOptions['gpu'], platform: string, arch: string): string[] {
  return (builds(gpu, platform, arch) ?? []).map((build) => `@node-llama-cpp/${build}`);
}

function builds(gpu: LlamaCppOptions['gpu'], platform: string, arch: string): string[] | undefined {
  if (platform === 'darwin') return [arch === 'arm64' ? 'mac-arm64-metal' : 'mac-x64'];
  const os = ({ linux: 'linux', win32: 'win' } as Record<string, string>)[platform];
  if (os === undefined) return undefined;
  if (arch === 'x64') {
    if (gpu === 'cuda') return [`${os}-x64-cuda`, `${os}-x64-cuda-ext`];
    if (gpu === 'vulkan') return [`${os}-x64-vulkan`];
    return [`${os}-x64`];
  }
  const others: Record<string, string> =
    os === 'linux'
      ? { arm64: 'linux-arm64', arm: 'linux-armv7l', riscv64: 'linux-riscv64' }
      : { arm64: 'win-arm64' };
  return others[arch] === undefined ? undefined : [others[arch]];
}
