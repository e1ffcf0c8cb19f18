import envPaths from 'env-paths';

/**
 * The user's cache directory for evalchemy (`~/.cache/evalchemy` on Linux, honouring XDG_CACHE_HOME), or
 * `EVALCHEMY_CACHE_DIR` when set.
 */
export function cacheDirectory(env: Record<string, string | undefined> = process.env): string {
  return env.EVALCHEMY_CACHE_DIR ?? envPaths('evalchemy', { suffix: '' }).cache;
}
