import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a file so that readers see either the old or the whole new content, never a part. A failed write
 * (a full disk) leaves no temporary file behind.
 */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}
