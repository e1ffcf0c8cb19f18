// What a user's `npm install` of evalchemy weighs. Every published workspace package is packed with
// `pnpm pack` (which turns `workspace:*` into versions) and published to a Verdaccio started here (127.0.0.1
// only, storage in a temporary directory, third-party packages proxied from the npm registry npm is configured
// with); then each install set below is installed with npm into a fresh directory, as a user would, and its
// node_modules measured: disk usage (`du`), the copies of zod, the largest packages and node-llama-cpp's
// binary packages. Set (a) must also answer `npx evalchemy list`, and set (c) generate with llama.cpp on the
// CPU; set (d), not run by default (Linux x64, 540 MB more), adds the CUDA build as the backend's README says and
// checks that node-llama-cpp's code finds it. Run `pnpm exec nx run-many -t build` first: packages are packed
// from their dist.
// Usage: pnpm exec tsx tools/bench/install-size.ts [--sets a,b,c,d] [--keep (leave the temporary directory)]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const verdaccioVersion = '6.10.4';
const repository = resolve(import.meta.dirname, '..', '..');
const modelPath = resolve(repository, '..', 'shared', 'models', 'stories260K.gguf');

const { values } = parseArgs({
  options: { sets: { type: 'string', default: 'a,b,c' }, keep: { type: 'boolean', default: false } },
});
if (Number(process.versions.node.split('.')[0]) < 22) {
  throw new Error(
    `install-size: Node ${process.versions.node} runs this script; run it with Node 22 or newer.`,
  );
}

interface WorkspacePackage {
  name: string;
  directory: string;
}
function workspacePackages(): WorkspacePackage[] {
  const roots = ['packages', 'packages/backends', 'packages/benchmarks', 'packages/sandboxes'];
  return roots.flatMap((root) =>
    readdirSync(join(repository, root), { withFileTypes: true })
      .filter(
        (entry) => entry.isDirectory() && existsSync(join(repository, root, entry.name, 'package.json')),
      )
      .map((entry) => join(repository, root, entry.name))
      .map((directory) => ({
        directory,
        manifest: JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')),
      }))
      .filter(({ manifest }) => manifest.private !== true)
      .map(({ directory, manifest }) => ({ name: manifest.name as string, directory })),
  );
}
const published = workspacePackages();
const unbuilt = published.filter(({ directory }) => !existsSync(join(directory, 'dist')));
if (unbuilt.length > 0) {
  throw new Error(
    `install-size: ${unbuilt.map(({ name }) => name).join(', ')} have no dist; run \`pnpm exec nx run-many -t build\` first.`,
  );
}

const sets: Record<string, { label: string; packages: string[] }> = {
  a: {
    label: 'cli + backend-openai + benchmark-gsm8k',
    packages: ['@evalchemy/cli', '@evalchemy/backend-openai', '@evalchemy/benchmark-gsm8k'],
  },
  b: { label: `every published package (${published.length})`, packages: published.map(({ name }) => name) },
  c: { label: 'cli + backend-llamacpp', packages: ['@evalchemy/cli', '@evalchemy/backend-llamacpp'] },
  d: {
    label: 'cli + backend-llamacpp, then its CUDA build on request',
    packages: ['@evalchemy/cli', '@evalchemy/backend-llamacpp'],
  },
};
const chosen = values.sets.split(',').map((key) => {
  const set = sets[key.trim()];
  if (set === undefined)
    throw new Error(`install-size: unknown set "${key}"; the sets are ${Object.keys(sets).join(', ')}.`);
  return { key: key.trim(), ...set };
});

// Children (npm, npx, Verdaccio) run on the Node that runs this script.
const environment = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
const upstream = (await execa('npm', ['config', 'get', 'registry'], { env: environment })).stdout.trim();
const work = await mkdtemp(join(tmpdir(), 'evalchemy-install-size-'));
console.log(
  `Node ${process.version}, npm ${(await execa('npm', ['--version'], { env: environment })).stdout}, ` +
    `${cpus().length} CPUs; upstream registry ${upstream}; working in ${work}`,
);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string')
    throw new Error('install-size: no free port on 127.0.0.1');
  return address.port;
}

const kib = async (path: string) => Number((await execa('du', ['-sk', path])).stdout.split('\t')[0]);
const mib = (kibibytes: number) => `${(kibibytes / 1024).toFixed(1)} MiB`;

/** Every installed copy of a package: its path under node_modules and its version. */
async function copiesOf(root: string, name: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(nodeModules: string): Promise<void> {
    const entries = await readdir(nodeModules, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const children = entry.name.startsWith('@')
        ? (await readdir(join(nodeModules, entry.name))).map((child) => join(nodeModules, entry.name, child))
        : [join(nodeModules, entry.name)];
      for (const child of children) {
        if (relative(nodeModules, child) === name) {
          const { version } = JSON.parse(await readFile(join(child, 'package.json'), 'utf8'));
          found.push(`${relative(root, child)}@${version}`);
        }
        await walk(join(child, 'node_modules'));
      }
    }
  }
  await walk(join(root, 'node_modules'));
  return found;
}

/** The top-level packages (and scoped ones) of a node_modules, largest first. */
async function largest(nodeModules: string, count: number): Promise<string[]> {
  const sizes: Array<[string, number]> = [];
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? (await readdir(join(nodeModules, entry))).map((child) => `${entry}/${child}`)
      : [entry];
    for (const name of names) sizes.push([name, await kib(join(nodeModules, name))]);
  }
  return sizes
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([name, size]) => `${name} ${mib(size)}`);
}

const port = await freePort();
const registry = `http://127.0.0.1:${port}/`;
const verdaccioDirectory = join(work, 'verdaccio');
await execa(
  'npm',
  ['install', '--prefix', verdaccioDirectory, '--no-audit', '--no-fund', `verdaccio@${verdaccioVersion}`],
  {
    env: environment,
  },
);
await writeFile(
  join(verdaccioDirectory, 'config.yaml'),
  [
    `storage: ${join(verdaccioDirectory, 'storage')}`,
    `listen: 127.0.0.1:${port}`,
    'max_body_size: 500mb',
    'auth:',
    `  htpasswd: { file: ${join(verdaccioDirectory, 'htpasswd')} }`,
    'uplinks:',
    `  npmjs: { url: ${upstream}, timeout: 300s, maxage: 30m }`,
    'packages:',
    // Never proxied: an install must get this workspace's packages, not whatever the registry has by that name.
    "  '@evalchemy/*': { access: $all, publish: $authenticated }",
    "  '**': { access: $all, proxy: npmjs }",
    'log: { type: stdout, format: pretty, level: error }',
    '',
  ].join('\n'),
);
const verdaccio = execa(
  process.execPath,
  [
    join(verdaccioDirectory, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
    '--config',
    join(verdaccioDirectory, 'config.yaml'),
  ],
  { env: environment, stdio: ['ignore', 'inherit', 'inherit'], reject: false },
);

try {
  for (let attempt = 0; ; attempt++) {
    const ping = await fetch(`${registry}-/ping`).catch(() => undefined);
    if (ping?.ok) break;
    if (verdaccio.exitCode !== null || attempt === 600) {
      throw new Error(
        `install-size: Verdaccio did not answer on ${registry} (exit code ${verdaccio.exitCode}).`,
      );
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  const user = await fetch(`${registry}-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'bench-password' }),
  });
  const { token } = (await user.json()) as { token?: string };
  if (!user.ok || token === undefined)
    throw new Error(`install-size: Verdaccio refused the bench user (${user.status}).`);
  const npmrc = join(work, 'npmrc');
  await writeFile(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  const npm = [
    '--userconfig',
    npmrc,
    '--cache',
    join(work, 'npm-cache'),
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
  ];

  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  for (const { name, directory } of published) {
    const packed = await execa('pnpm', ['pack', '--pack-destination', tarballs, '--json'], {
      cwd: directory,
      env: environment,
    });
    const { filename } = JSON.parse(packed.stdout) as { filename: string };
    await execa('npm', ['publish', filename, '--access', 'public', '--provenance=false', ...npm], {
      env: environment,
    });
    console.log(`published ${name}`);
  }

  const rows: string[] = [];
  for (const set of chosen) {
    const project = join(work, `install-${set.key}`);
    const nodeModules = join(project, 'node_modules');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: `install-${set.key}`, private: true, type: 'module' }),
    );
    const started = performance.now();
    await execa('npm', ['install', ...npm, ...set.packages], { cwd: project, env: environment });
    console.log(`\n(${set.key}) ${set.label}: npm install ${set.packages.join(' ')}`);
    console.log(`  in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (set.key === 'd') {
      // The documented opt-in: the CUDA build added next to the backend, where node-llama-cpp's code finds it.
      const copy = join(nodeModules, '@evalchemy', 'node-llama-cpp', 'dist', 'node-llama-cpp');
      const { version } = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as {
        version: string;
      };
      const cuda = ['@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext'];
      await execa('npm', ['install', ...npm, ...cuda.map((name) => `${name}@${version}`)], {
        cwd: project,
        env: environment,
      });
      const fromCopy = createRequire(join(copy, 'dist', 'index.js'));
      const found = cuda.map((name) => relative(project, dirname(fromCopy.resolve(name))));
      console.log(
        `  then npm install ${cuda.join(' ')} at ${version}; node-llama-cpp finds ${found.join(', ')}`,
      );
    }
    const total = await kib(nodeModules);
    const zod = await copiesOf(project, 'zod');
    const zodKib = (
      await Promise.all(zod.map((copy) => kib(join(project, copy.slice(0, copy.lastIndexOf('@'))))))
    ).reduce((sum, size) => sum + size, 0);
    const llamaBinaries = existsSync(join(nodeModules, '@node-llama-cpp'))
      ? await Promise.all(
          (await readdir(join(nodeModules, '@node-llama-cpp'))).map(
            async (name) => `${name} ${mib(await kib(join(nodeModules, '@node-llama-cpp', name)))}`,
          ),
        )
      : [];
    console.log(`  node_modules: ${mib(total)}`);
    console.log(
      `  zod: ${zod.length} ${zod.length === 1 ? 'copy' : 'copies'}, ${mib(zodKib)}: ${zod.join(', ')}`,
    );
    console.log(`  @node-llama-cpp: ${llamaBinaries.join(', ') || 'none'}`);
    console.log(`  largest: ${(await largest(nodeModules, 6)).join(', ')}`);
    if (set.key === 'a') {
      const list = await execa('npx', ['--no-install', 'evalchemy', 'list'], {
        cwd: project,
        env: environment,
        reject: false,
      });
      const ok = list.exitCode === 0 && /gsm8k/.test(list.stdout) && /openai/.test(list.stdout);
      console.log(
        `  npx evalchemy list: exit ${list.exitCode}${ok ? ', lists gsm8k and openai' : `\n${list.stdout}\n${list.stderr}`}`,
      );
    }
    if (set.key === 'c') {
      // A file, not `node -e`: node-llama-cpp tests its binary in a child forked with this process's execArgv.
      await writeFile(
        join(project, 'generate.mjs'),
        [
          "import { createLlamaCppBackend } from '@evalchemy/backend-llamacpp';",
          `const backend = createLlamaCppBackend({ model: ${JSON.stringify(modelPath)}, threads: 1 });`,
          'const call = { signal: new AbortController().signal };',
          'await backend.doStart(call);',
          "const origin = { task: 'install-size', sampleId: '0', turn: 0, generation: 0 };",
          'const parameters = { maxTokens: 8, temperature: 0 };',
          "const request = { type: 'completion', prompt: 'Once upon a time', parameters, origin };",
          'const result = await backend.doGenerate(request, call);',
          'console.log(JSON.stringify(result.text), backend.describe().computeBackend);',
          'await backend.doStop();',
        ].join('\n'),
      );
      const generation = await execa(process.execPath, ['generate.mjs'], {
        cwd: project,
        env: environment,
        reject: false,
      });
      console.log(`  llama.cpp: exit ${generation.exitCode}, ${generation.stdout || generation.stderr}`);
    }
    rows.push(
      `| (${set.key}) ${set.label} | ${mib(total)} | ${zod.length} (${mib(zodKib)}) | ${llamaBinaries.join(', ') || '—'} |`,
    );
  }
  console.log(
    [
      '',
      '| install | node_modules | zod copies | @node-llama-cpp packages |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  verdaccio.kill('SIGTERM');
  await verdaccio;
  if (values.keep) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
