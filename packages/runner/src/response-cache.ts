import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stableStringify } from './stable-json.js';

// The callback APIs: the FileHandle-based promise APIs cost several times more per call, and a run makes
// two file operations per response.
const readFileAsync = promisify(readFile);
const writeFileAsync = promisify(writeFile);
const renameAsync = promisify(rename);
const readdirAsync = promisify(readdir);

/**
 * Content-addressed store of backend responses on disk: one file per response under
 * `<directory>/<2 hex>/<sha256>.json`, written to a temporary name and renamed, so a run killed at any point
 * (SIGKILL included) leaves only whole entries, and a rerun of the same command sends no completed request
 * again. The key is the sha256 of everything that determines the answer: backend id, model, the request
 * (messages or prompt, generation parameters, generation index) — never API keys.
 *
 * Each shard's listing is read once, so a miss costs no failed open, and each shard is created once.
 */
export class ResponseCache {
  private readonly directory: string;
  private readonly enabled: boolean;
  private readonly shards = new Map<string, Promise<Set<string>>>();

  constructor(settings: { directory: string; enabled: boolean }) {
    this.directory = settings.directory;
    this.enabled = settings.enabled;
  }

  static key(parts: Record<string, unknown>): string {
    return createHash('sha256').update(stableStringify(parts)).digest('hex');
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    if (!this.enabled) return undefined;
    const names = await this.shard(key);
    if (!names.has(`${key}.json`)) return undefined;
    try {
      return (JSON.parse(await readFileAsync(this.pathOf(key), 'utf8')) as { value: Value }).value;
    } catch {
      // Removed by someone else since the listing was read: a miss.
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    if (!this.enabled) return;
    const names = await this.shard(key);
    const path = this.pathOf(key);
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFileAsync(temporary, JSON.stringify({ value }));
    await renameAsync(temporary, path);
    names.add(`${key}.json`);
  }

  /** The names in a key's shard directory, read (and the directory created) on first use. */
  private shard(key: string): Promise<Set<string>> {
    const name = key.slice(0, 2);
    let names = this.shards.get(name);
    if (names === undefined) {
      const directory = join(this.directory, name);
      names = mkdir(directory, { recursive: true })
        .then(() => readdirAsync(directory))
        .then((entries) => new Set(entries));
      this.shards.set(name, names);
    }
    return names;
  }

  private pathOf(key: string): string {
    return join(this.directory, key.slice(0, 2), `${key}.json`);
  }
}
