import { rename, writeFile } from 'node:fs/promises';

/** Writes a file so that readers see either the old or the whole new content, never a part. */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
