#!/usr/bin/env node
// The `evalchemy` command. It loads nothing of the CLI before checking the Node version: the CLI uses Node 22
// APIs (fs.glob), and on an older Node importing it fails with a SyntaxError that does not say why. So this
// file imports only a built-in module and must keep to syntax that old Node versions parse.
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};
const required = Number(/\d+/.exec(packageJson.engines.node)?.[0]);
if (Number(process.versions.node.split('.')[0]) < required) {
  process.stderr.write(
    `evalchemy needs Node.js ${required} or newer; this is Node.js ${process.version} (${process.execPath}).\n` +
      `Install Node.js ${required} from https://nodejs.org or with nvm (nvm install ${required} && nvm use ${required}),\n` +
      `or let npx fetch it for one command:\n  npx -p node@${required} -p @evalchemy/cli evalchemy run ...\n` +
      `In a checkout of the evalchemy repository, "source tools/bootstrap.sh" puts Node.js ${required} on the PATH.\n`,
  );
  process.exitCode = 2;
} else {
  await import('./start.js');
}
