// A Verdaccio registry on 127.0.0.1 for the publish-and-install suite (and anyone who wants to try a release):
// storage in a given directory, third-party packages proxied from the npm registry npm is configured with,
// `@evalchemy/*` served only from what is published to it, and one throwaway user whose token is written to
// an npmrc. Verdaccio is the repository's devDependency: nothing is installed by hand.

import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** An npmrc holding the registry and the throwaway user's token (for `npm_config_userconfig`). */
  readonly npmrc: string;
  /** Verdaccio's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no free port on 127.0.0.1');
  return address.port;
}

/**
 * Starts Verdaccio with its storage, config and npmrc under `directory`. `upstream` is the registry the
 * third-party packages come from (`npm config get registry`).
 */
export async function startLocalRegistry(directory: string, upstream: string): Promise<LocalRegistry> {
  await mkdir(directory, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(directory, 'config.yaml');
  await writeFile(
    config,
    [
      `storage: ${join(directory, 'storage')}`,
      `listen: 127.0.0.1:${port}`,
      'max_body_size: 500mb',
      'auth:',
      `  htpasswd: { file: ${join(directory, 'htpasswd')} }`,
      // Signed tokens: the default ones are checked against the bcrypt password hash on every request, seconds each.
      'security: { api: { jwt: { sign: { expiresIn: 1d } } } }',
      'uplinks:',
      `  npmjs: { url: ${upstream}, timeout: 300s, maxage: 30m }`,
      'packages:',
      // Never proxied: an install must get this workspace's packages, not whatever the registry has by that name.
      "  '@evalchemy/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, publish: $authenticated, proxy: npmjs }",
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const verdaccioBin = join(
    dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')),
    'bin',
    'verdaccio',
  );
  let output = '';
  const verdaccio: ResultPromise = execa(process.execPath, [verdaccioBin, '--config', config], {
    reject: false,
    all: true,
    buffer: false,
  });
  verdaccio.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    verdaccio.kill('SIGTERM');
    await verdaccio;
  };
  try {
    for (let attempt = 0; ; attempt++) {
      const ping = await fetch(`${url}-/ping`).catch(() => undefined);
      if (ping?.ok) break;
      if (verdaccio.exitCode !== null || attempt === 600) {
        throw new Error(`Verdaccio did not answer on ${url} (exit code ${verdaccio.exitCode}):\n${output}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    const user = await fetch(`${url}-/user/org.couchdb.user:evalchemy-ci`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'evalchemy-ci', password: `throwaway-${port}` }),
    });
    const { token } = (await user.json()) as { token?: string };
    if (!user.ok || token === undefined)
      throw new Error(`Verdaccio refused the throwaway user (${user.status}).`);
    const npmrc = join(directory, 'npmrc');
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
