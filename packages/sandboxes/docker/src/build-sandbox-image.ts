import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerV1 } from '@evalchemy/core';
import { SandboxError } from '@evalchemy/core';
import Docker from 'dockerode';
import { execa } from 'execa';
import { defaultSandboxImage } from './docker-options.js';

/** Settings of {@link buildSandboxImage}. */
export interface BuildSandboxImageSettings {
  /** Image name and tag. Default `evalchemy-sandbox-python:3.11`. */
  tag?: string;
  log: LoggerV1;
  /** Rebuild even when the image exists. Default false. */
  force?: boolean;
  /** Debian mirror for debootstrap. Default `http://deb.debian.org/debian`. */
  mirror?: string;
  docker?: Docker;
}

// Everything below is absent from a program's view of the image or never read by python3.
const strippedPaths = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'var/cache/apt',
  'var/lib/apt/lists',
  'var/log',
];

/**
 * Builds the sandbox image locally, without a container registry: debootstraps a minimal Debian bookworm
 * root file system with python3 (3.11), strips documentation and caches, and `docker import`s it. Skipped
 * when the image already exists. Needs root and `debootstrap` (`apt-get install debootstrap`).
 */
export async function buildSandboxImage(
  settings: BuildSandboxImageSettings,
): Promise<{ tag: string; built: boolean }> {
  const tag = settings.tag ?? defaultSandboxImage;
  const docker = settings.docker ?? new Docker();
  if (!settings.force && (await imageExists(docker, tag))) {
    settings.log.info(`sandbox image ${tag} exists; nothing to build.`);
    return { tag, built: false };
  }
  if (process.getuid?.() !== 0) {
    throw new SandboxError(
      'Building the sandbox image runs debootstrap, which needs root: run it with sudo.',
    );
  }
  const workDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-image-'));
  const root = join(workDirectory, 'rootfs');
  try {
    settings.log.info(`debootstrapping Debian bookworm with python3 into ${root} (a few minutes)…`);
    const bootstrap = await execa(
      'debootstrap',
      [
        '--variant=minbase',
        '--include=python3',
        bookworm,
        root,
        settings.mirror ?? 'http://deb.debian.org/debian',
      ],
      { reject: false, all: true },
    );
    if (bootstrap.exitCode !== 0) {
      throw new SandboxError(
        `debootstrap failed (${bootstrap.shortMessage}); install it with \`apt-get install debootstrap\`. ` +
          `Last output: ${String(bootstrap.all ?? '').slice(-800)}`,
      );
    }
    await Promise.all(strippedPaths.map((path) => rm(join(root, path), { recursive: true, force: true })));
    const archive = join(workDirectory, 'rootfs.tar');
    await execa('tar', ['--numeric-owner', '-C', root, '-cf', archive, '.']);
    settings.log.info(`importing ${archive} as ${tag}…`);
    const [repo, version] = splitTag(tag);
    const progress = await docker.importImage(archive, {
      repo,
      tag: version,
      changes: [
        'CMD ["python3"]',
        'USER 65534:65534',
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        'ENV LANG=C.UTF-8',
        'WORKDIR /work',
      ],
    });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(progress, (error) => (error ? reject(error) : resolve())),
    );
    if (!(await imageExists(docker, tag))) throw new SandboxError(`docker import did not create ${tag}.`);
    settings.log.info(`built sandbox image ${tag}.`);
    return { tag, built: true };
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

const bookworm = 'bookworm';

/** Whether the engine has the image. */
export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

function splitTag(tag: string): [string, string] {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest'];
}
