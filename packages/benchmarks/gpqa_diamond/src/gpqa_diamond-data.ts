import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DatasetError, type DatasetFileV1, type DatasetResolverV1 } from '@evalchemy/core';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { parse } from 'csv-parse/sync';

/**
 * GPQA Diamond as distributed: the Hub's `gpqa_diamond.csv` (gated), or offline a ZipCrypto archive of the same
 * CSV, encrypted with the public password of the GPQA README so that the questions are not posted in plain text.
 * The Hub commit comes from public evaluation code that reads `gpqa_diamond.csv` at `Idavidrein/gpqa@633f5ee8…`
 * and checks it against `gpqaDiamondCsvSha256` (others record its size, 1,373,492 bytes, the offline CSV's);
 * not checked against the Hub from here. HELM's gpqa_scenario.py pins another commit (90b8e5be…), for which no
 * source records the CSV's bytes.
 */
export const gpqaDiamondDataset: DatasetFileV1 = {
  hub: {
    repository: 'Idavidrein/gpqa',
    revision: '633f5ee89ab8ad4522a9f850766b73f62147ffdd',
    path: 'gpqa_diamond.csv',
  },
  offlinePath: 'gpqa-diamond/gpqa_diamond.zip',
  sha256: { offline: 'de6c8b3fe2e07a4a55a0c50166782ab3988215337079c3d0739cc4dd53b40cc8' },
};

/** sha256 of the CSV itself (inside the zip, or from the Hub): checked whichever copy was used. */
export const gpqaDiamondCsvSha256 = '41d1213cd7a4998605a26c2798500652572007161b3a92817ba46b35befcd305';

/** The GPQA README's password convention for its archives. */
const archivePassword = 'deserted-untie-orchid';

/** One GPQA question with its correct and three incorrect answers. */
export interface GpqaQuestion {
  recordId: string;
  question: string;
  correct: string;
  incorrect: [string, string, string];
  domain: string;
  subdomain: string;
}

async function csvBytes(datasets: DatasetResolverV1, file: DatasetFileV1): Promise<Uint8Array> {
  const location = await datasets.resolve(file);
  const bytes = new Uint8Array(await readFile(location.path));
  if (!location.path.endsWith('.zip')) return bytes;
  // Workers are for browsers; in Node the inflate runs inline.
  configure({ useWebWorkers: false });
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { password: archivePassword });
  try {
    const entry = (await reader.getEntries()).find((candidate) => candidate.filename.endsWith('.csv'));
    if (entry === undefined || entry.directory) {
      throw new DatasetError(`${file.offlinePath}: the archive holds no CSV file.`);
    }
    return await entry.getData(new Uint8ArrayWriter());
  } catch (error) {
    if (DatasetError.isInstance(error)) throw error;
    throw new DatasetError(
      `${file.offlinePath}: could not decrypt the archive: ${(error as Error).message}.`,
      {
        cause: error,
      },
    );
  } finally {
    await reader.close();
  }
}

/** The 198 questions, from the verified archive or Hub file; the CSV's own sha256 is checked too. */
export async function loadGpqaQuestions(
  datasets: DatasetResolverV1,
  file: DatasetFileV1 = gpqaDiamondDataset,
  expectedCsvSha256: string | undefined = gpqaDiamondCsvSha256,
): Promise<GpqaQuestion[]> {
  const bytes = await csvBytes(datasets, file);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (expectedCsvSha256 !== undefined && actual !== expectedCsvSha256) {
    throw new DatasetError(
      `${file.offlinePath}: the GPQA Diamond CSV has sha256 ${actual}, expected ${expectedCsvSha256}. ` +
        'Replace the file with the published one.',
    );
  }
  const rows = parse(Buffer.from(bytes), { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  return rows.map((row, index) => {
    const field = (name: string): string => {
      const value = row[name];
      if (value === undefined)
        throw new DatasetError(`${file.offlinePath}: row ${index} has no "${name}" column.`);
      return value;
    };
    return {
      recordId: field('Record ID'),
      question: field('Question'),
      correct: field('Correct Answer'),
      incorrect: [field('Incorrect Answer 1'), field('Incorrect Answer 2'), field('Incorrect Answer 3')],
      domain: row['High-level domain'] ?? '',
      subdomain: row.Subdomain ?? '',
    };
  });
}
