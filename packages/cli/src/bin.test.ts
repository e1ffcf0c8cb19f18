import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A `node` older than 22 on this machine (the PATH, /usr/bin, /usr/local/bin), if there is one. */
function oldNode(): { path: string; version: string } | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin'];
  for (const path of directories.map((directory) => join(directory, 'node'))) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)\./.exec(version)?.[1]) < 22) return { path, version };
  }
  return undefined;
}

const old = oldNode();

describe('the evalchemy bin on a Node older than 22', () => {
  const commands = [
    ['--help'],
    ['list'],
    ['run', '--model', 'openai', '--model_args', 'model=x,api_key=sk-secret', '--tasks', 'gsm8k'],
  ];
  for (const args of commands) {
    it(`\`evalchemy ${args[0]}\` says Node 22 is needed and how to get it, instead of a SyntaxError`, async (context) => {
      if (old === undefined)
        return context.skip('no Node older than 22 on this machine (PATH, /usr/local/bin, /usr/bin)');
      const result = await execa(old.path, [bin, ...args], { reject: false });
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `evalchemy needs Node.js 22 or newer; this is Node.js ${old.version} (${old.path}).`,
      );
      expect(result.stderr).toContain('npx -p node@22 -p @evalchemy/cli evalchemy');
      expect(result.stderr).toContain('nvm install 22');
      expect(result.stderr).not.toContain('SyntaxError');
      expect(result.stderr).not.toContain('sk-secret');
    });
  }
});
