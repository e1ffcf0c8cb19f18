// Preloaded with `node --import` by a test: says on stderr when the process imports the leaderboard package or
// PGlite, which a plain run must not load.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@evalchemy/leaderboard' || specifier.startsWith('@electric-sql/pglite')) {
      process.stderr.write(`imported ${specifier}\n`);
    }
    return nextResolve(specifier, context);
  },
});
