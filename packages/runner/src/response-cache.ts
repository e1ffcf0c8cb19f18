import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerV1 } from '@evalchemy/core';
import { createDirectory } from './create-directory.js';
import { stableStringify } from './stable-json.js';

/** Where an entry's line lies in a journal. */
interface EntryLocation {
  journal: string;
  offset: number;
  length: number;
}

const linePrefix = '{"k":"';
const keyLength = 64;

/**
 * Content-addressed store of backend responses on disk. The key is the sha256 of everything that
 * determines the answer: backend id, model, the server it is served from (`BackendV1.endpoint`, without
 * credentials), the request (messages or prompt, generation parameters, generation index) — never API keys.
 *
 * Entries are appended as JSON lines (`{"k":"<sha256>","v":<response>}`) to a journal file of this
 * process's own under `<directory>/journal-*.jsonl`; `set` resolves once its line has been handed to the
 * operating system, so a run killed at any point (SIGKILL included) keeps every entry it reported stored,
 * and a torn last line is ignored when the journals are read again. Appending costs one write for many
 * concurrent entries, where a file per entry cost a file creation each (most of a fast run's CPU).
 * On first use the journals are scanned once for keys and line positions (not values), so memory grows
 * with the number of entries, not their size; values are read from disk on a hit. A damaged line (a disk
 * fault, a hand edit) is skipped with a warning, so its request is sent again and its answer stored anew.
 */
export class ResponseCache {
  readonly directory: string;
  private readonly enabled: boolean;
  private index: Promise<Map<string, EntryLocation>> | undefined;
  private journal: { name: string; stream: WriteStream; bytes: number } | undefined;
  private readonly handles = new Map<string, Promise<FileHandle>>();
  private readonly log: LoggerV1 | undefined;

  /** `log` receives the warnings about damaged lines. */
  constructor(settings: { directory: string; enabled: boolean; log?: LoggerV1 }) {
    this.directory = settings.directory;
    this.enabled = settings.enabled;
    this.log = settings.log;
  }

  static key(parts: Record<string, unknown>): string {
    return createHash('sha256').update(stableStringify(parts)).digest('hex');
  }

  /** Reads the journals' index now instead of on first use, so that no lookup waits on disk later. */
  async load(): Promise<void> {
    if (this.enabled) await this.loadIndex();
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    if (!this.enabled) return undefined;
    const index = await this.loadIndex();
    const location = index.get(key);
    if (location === undefined) return undefined;
    const handle = await this.handleOf(location.journal);
    const buffer = Buffer.allocUnsafe(location.length);
    const { bytesRead } = await handle.read(buffer, 0, location.length, location.offset);
    const entry = parseEntry(buffer.toString('utf8', 0, bytesRead));
    if (entry?.k === key && entry.v !== undefined) return entry.v as Value;
    index.delete(key);
    this.log?.warn(
      `Response cache: the entry at byte ${location.offset} of ${join(this.directory, location.journal)} is ` +
        'unreadable; it is skipped and its request sent again.',
    );
    return undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    if (!this.enabled) return;
    const index = await this.loadIndex();
    const journal = this.openJournal();
    const line = Buffer.from(`${linePrefix}${key}","v":${JSON.stringify(value)}}\n`);
    const offset = journal.bytes;
    journal.bytes += line.length;
    await new Promise<void>((resolve, reject) =>
      journal.stream.write(line, (error) => (error ? reject(error) : resolve())),
    );
    index.set(key, { journal: journal.name, offset, length: line.length - 1 });
  }

  /** Closes the journal and read handles. The cache may be used again afterwards. */
  async close(): Promise<void> {
    const journal = this.journal;
    this.journal = undefined;
    if (journal) await new Promise<void>((resolve) => journal.stream.end(resolve));
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map(async (handle) => (await handle).close()));
  }

  private loadIndex(): Promise<Map<string, EntryLocation>> {
    this.index ??= (async () => {
      await createDirectory(this.directory);
      const index = new Map<string, EntryLocation>();
      const names = (await readdir(this.directory)).filter(
        (name) => name.startsWith('journal-') && name.endsWith('.jsonl'),
      );
      for (const name of names.sort()) {
        const unreadable = await scanJournal(join(this.directory, name), name, index);
        if (unreadable > 0) {
          this.log?.warn(
            `Response cache: ${unreadable} unreadable line${unreadable > 1 ? 's' : ''} in ${join(this.directory, name)} skipped.`,
          );
        }
      }
      return index;
    })();
    return this.index;
  }

  private openJournal(): { name: string; stream: WriteStream; bytes: number } {
    if (this.journal === undefined) {
      const name = `journal-${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.jsonl`;
      const stream = createWriteStream(join(this.directory, name), { flags: 'a' });
      // A failed write (a full disk) rejects its `set`; unheard, the stream's 'error' event would end the process.
      stream.on('error', () => {});
      this.journal = { name, stream, bytes: 0 };
    }
    return this.journal;
  }

  private handleOf(journal: string): Promise<FileHandle> {
    let handle = this.handles.get(journal);
    if (handle === undefined) {
      handle = open(join(this.directory, journal), 'r');
      this.handles.set(journal, handle);
    }
    return handle;
  }
}

function parseEntry(line: string): { k?: unknown; v?: unknown } | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds the complete lines of a journal to the index and returns how many other non-empty lines it has; a
 * torn last line (a killed writer) is skipped silently.
 */
async function scanJournal(path: string, name: string, index: Map<string, EntryLocation>): Promise<number> {
  let unreadable = 0;
  let offset = 0;
  let pending = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    let data = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
      const length = end - start;
      if (
        length > linePrefix.length + keyLength &&
        data.toString('latin1', start, start + linePrefix.length) === linePrefix
      ) {
        const key = data.toString('latin1', start + linePrefix.length, start + linePrefix.length + keyLength);
        index.set(key, { journal: name, offset: offset + start, length });
      } else if (length > 0) {
        unreadable += 1;
      }
      start = end + 1;
    }
    offset += start;
    data = data.subarray(start);
    pending = Buffer.from(data);
  }
  return unreadable;
}
