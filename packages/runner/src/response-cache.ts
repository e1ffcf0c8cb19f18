import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
 * determines the answer: backend id, model, the request (messages or prompt, generation parameters,
 * generation index) — never API keys.
 *
 * Entries are appended as JSON lines (`{"k":"<sha256>","v":<response>}`) to a journal file of this
 * process's own under `<directory>/journal-*.jsonl`; `set` resolves once its line has been handed to the
 * operating system, so a run killed at any point (SIGKILL included) keeps every entry it reported stored,
 * and a torn last line is ignored when the journals are read again. Appending costs one write for many
 * concurrent entries, where a file per entry cost a file creation each (most of a fast run's CPU).
 * On first use the journals are scanned once for keys and line positions (not values), so memory grows
 * with the number of entries, not their size; values are read from disk on a hit.
 */
export class ResponseCache {
  readonly directory: string;
  private readonly enabled: boolean;
  private index: Promise<Map<string, EntryLocation>> | undefined;
  private journal: { name: string; stream: WriteStream; bytes: number } | undefined;
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(settings: { directory: string; enabled: boolean }) {
    this.directory = settings.directory;
    this.enabled = settings.enabled;
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
    const location = (await this.loadIndex()).get(key);
    if (location === undefined) return undefined;
    const handle = await this.handleOf(location.journal);
    const buffer = Buffer.allocUnsafe(location.length);
    await handle.read(buffer, 0, location.length, location.offset);
    return (JSON.parse(buffer.toString('utf8')) as { v: Value }).v;
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
      for (const name of names.sort()) await scanJournal(join(this.directory, name), name, index);
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

/** Adds the complete lines of a journal to the index; a torn last line (a killed writer) is skipped. */
async function scanJournal(path: string, name: string, index: Map<string, EntryLocation>): Promise<void> {
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
      }
      start = end + 1;
    }
    offset += start;
    data = data.subarray(start);
    pending = Buffer.from(data);
  }
}
