import { describe, expect, it } from 'vitest';
import { prebuiltPackages } from './prebuilt-packages.js';

describe('prebuiltPackages', () => {
  it('names the CUDA build with its second part, and the CPU build for auto', () => {
    expect(prebuiltPackages('cuda', 'win32', 'x64')).toEqual([
      '@node-llama-cpp/win-x64-cuda',
      '@node-llama-cpp/win-x64-cuda-ext',
    ]);
    expect(prebuiltPackages('vulkan', 'linux', 'x64')).toEqual(['@node-llama-cpp/linux-x64-vulkan']);
    expect(prebuiltPackages('auto', 'linux', 'x64')).toEqual(['@node-llama-cpp/linux-x64']);
  });

  it('names the one build of ARM Linux and Windows, which a plain install leaves out', () => {
    expect(prebuiltPackages('false', 'linux', 'arm64')).toEqual(['@node-llama-cpp/linux-arm64']);
    expect(prebuiltPackages('false', 'linux', 'arm')).toEqual(['@node-llama-cpp/linux-armv7l']);
    expect(prebuiltPackages('false', 'win32', 'arm64')).toEqual(['@node-llama-cpp/win-arm64']);
  });

  it('names the Metal build on Apple silicon, and nothing where node-llama-cpp publishes no build', () => {
    expect(prebuiltPackages('false', 'darwin', 'arm64')).toEqual(['@node-llama-cpp/mac-arm64-metal']);
    expect(prebuiltPackages('false', 'freebsd', 'x64')).toEqual([]);
    expect(prebuiltPackages('false', 'linux', 's390x')).toEqual([]);
  });
});
