import type { Readable } from 'node:stream';

/** Keeps the first `limit` bytes of a stream and drains (drops) the rest, so a chatty program cannot fill memory. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** True once a byte had to be dropped. */
  truncated = false;

  constructor(private readonly limit: number) {}

  /** Starts collecting; resolves when the stream ends, closes or fails. */
  collect(stream: Readable | null | undefined): Promise<void> {
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => this.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  }

  push(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
    this.truncated = true;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}
