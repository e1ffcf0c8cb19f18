import type { LoggerV1 } from '@evalchemy/core';
import { parsePluginOptions } from '@evalchemy/core';
import { type DockerSandboxSettings, dockerSandboxOptionsSchema } from './docker-options.js';
import { createDockerSandboxProvider } from './docker-provider.js';
import { DockerSandbox } from './docker-sandbox.js';

export { type BuildSandboxImageSettings, buildSandboxImage, imageExists } from './build-sandbox-image.js';
export {
  type DockerSandboxOptions,
  type DockerSandboxSettings,
  defaultSandboxImage,
  dockerSandboxOptionsSchema,
} from './docker-options.js';
export { createDockerSandboxProvider } from './docker-provider.js';
export { DockerSandbox, runLabel, sandboxLabel } from './docker-sandbox.js';
export { VERSION } from './version.js';

const quietLogger: LoggerV1 = { info() {}, warn: (message) => console.warn(message), debug() {} };

/** Creates a `docker` sandbox directly (without the CLI); an unknown settings key is a `ConfigurationError`. */
export function createDockerSandbox(
  settings: DockerSandboxSettings = {},
  log: LoggerV1 = quietLogger,
): DockerSandbox {
  const options = parsePluginOptions(dockerSandboxOptionsSchema, settings, 'sandbox "docker"');
  return new DockerSandbox(options, log);
}

/** The plugin object the CLI loads: the `docker` sandbox provider. */
const provider = createDockerSandboxProvider();
export default provider;
