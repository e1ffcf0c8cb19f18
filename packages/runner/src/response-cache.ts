import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stableStringify } from './stable-json.js';

/**
 * Content-addressed store of backend responses on disk: one file per response under
 * `<directory>/<2 hex>/<sha256>.json`, written to a temporary name and renamed, so a run killed at any point
 * (SIGKILL included) leaves only whole entries, and a rerun of the same command sends no completed request
 * again. The key is the sha256 of everything that determines the answer: backend id, model, the request
 * (messages or prompt, generation parameters, generation index) — never API keys.
 */
export class ResponseCache {
  private readonly directory: string;
  private readonly enabled: boolean;

  constructor(settings: { directory: string; enabled: boolean }) {
    this.directory = settings.directory;
    this.enabled = settings.enabled;
  }

  static key(parts: Record<string, unknown>): string {
    return createHash('sha256').update(stableStringify(parts)).digest('hex');
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    if (!this.enabled) return undefined;
    try {
      const text = await readFile(this.pathOf(key), 'utf8');
      return (JSON.parse(text) as { value: Value }).value;
    } catch {
      // Absent, or unreadable (a disk error mid-write cannot leave a partial entry, but be lenient): a miss.
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    if (!this.enabled) return;
    const path = this.pathOf(key);
    await mkdir(join(this.directory, key.slice(0, 2)), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, JSON.stringify({ value }));
    await rename(temporary, path);
  }

  private pathOf(key: string): string {
    return join(this.directory, key.slice(0, 2), `${key}.json`);
  }
}
