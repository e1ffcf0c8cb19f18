import { parseArgs } from 'node:util';
import { ConfigurationError, type LoggerV1 } from '@evalchemy/core';
import { normaliseFlags } from './arguments.js';
import { discoverPlugins, findPlugin, importPluginEntry } from './plugin-discovery.js';

const sandboxHelp = `Usage: evalchemy sandbox build [--image NAME:TAG]

Builds the Docker image generated code runs in (a minimal Debian rootfs with Python, made locally with
debootstrap and "docker import", so no registry is needed). Where a registry is reachable you can instead
"docker pull python:3.11-slim" and pass --model_args-style sandbox option image=python:3.11-slim.`;

/** `evalchemy sandbox build`: builds the Docker sandbox image through the docker sandbox plugin. */
export async function sandboxCommand(
  argv: string[],
  io: { stdout: { write(text: string): unknown }; cwd: string; log: LoggerV1 },
): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({
    args: normaliseFlags(rest),
    options: { image: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (action !== 'build' || values.help) {
    io.stdout.write(`${sandboxHelp}\n`);
    return action === 'build' || values.help ? 0 : 2;
  }
  const plugin = findPlugin(await discoverPlugins(io.cwd), 'sandbox', 'docker');
  const module = (await importPluginEntry(plugin)) as {
    buildSandboxImage?: (settings: { tag?: string; log: LoggerV1 }) => Promise<unknown>;
  };
  if (typeof module.buildSandboxImage !== 'function') {
    throw new ConfigurationError(`${plugin.packageName} does not export buildSandboxImage(); update it.`);
  }
  await module.buildSandboxImage({ ...(values.image ? { tag: values.image } : {}), log: io.log });
  return 0;
}
