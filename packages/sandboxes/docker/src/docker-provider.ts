import type { SandboxProviderV1, SandboxV1 } from '@evalchemy/core';
import Docker from 'dockerode';
import { imageExists } from './build-sandbox-image.js';
import {
  type DockerSandboxOptions,
  defaultSandboxImage,
  dockerSandboxOptionsSchema,
} from './docker-options.js';
import { DockerSandbox } from './docker-sandbox.js';
import { VERSION } from './version.js';

/** Creates the `docker` sandbox provider. */
export function createDockerSandboxProvider(): SandboxProviderV1<DockerSandboxOptions> {
  return {
    specificationVersion: 'v1',
    kind: 'sandbox',
    id: 'docker',
    version: VERSION,
    optionsSchema: dockerSandboxOptionsSchema,
    checkAvailable: (options) => checkAvailable(options),
    createSandbox: (options, context): SandboxV1 => new DockerSandbox(options, context.log),
  };
}

async function checkAvailable(options: DockerSandboxOptions): Promise<true | string> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    return (
      `docker sandbox: the Docker engine does not answer (${error instanceof Error ? error.message : String(error)}). ` +
      'Start dockerd (or set DOCKER_HOST), or use the bubblewrap sandbox (`--sandbox process`).'
    );
  }
  if (await imageExists(docker, options.image)) return true;
  return options.image === defaultSandboxImage
    ? `docker sandbox: image ${options.image} is missing. Build it with \`evalchemy sandbox build\` (needs root ` +
        'and debootstrap), or `docker pull python:3.11-slim` and pass the option image=python:3.11-slim.'
    : `docker sandbox: image ${options.image} is missing. Pull or build it (\`docker pull ${options.image}\`).`;
}
