import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { z } from 'zod';
import { DatasetError } from './errors.js';
import type { DatasetFileV1, DatasetFormatV1, DatasetRowV1 } from './v1/dataset.js';

/**
 * Checks each row of `file` against `schema` and returns the parsed rows. Throws `DatasetError` naming the file,
 * the 1-based row and every mismatch (`question_id: expected number`).
 */
export function parseDatasetRows<T>(
  rows: readonly DatasetRowV1[],
  schema: z.ZodType<T>,
  file: DatasetFileV1,
): T[] {
  return rows.map((row, index) => {
    const result = schema.safeParse(row);
    if (!result.success) {
      throw new DatasetError(
        `${file.offlinePath} row ${index + 1} is not in the expected shape: ${result.error.issues
          .map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`)
          .join('; ')}.`,
      );
    }
    return result.data;
  });
}

/**
 * Decodes the bytes of a data file into the rows `DatasetResolverV1.rows` returns. The format is
 * `settings.format`, else the extension of `name` (`.jsonl`, `.json` (an array), `.csv` (a header row unless
 * `csvColumns` is given), `.parquet`; each also `.gz`, unpacked first). No I/O: every resolver (the runner's,
 * the test-kit's offline one, a third party's) reads and verifies the file itself, and they all decode alike.
 * Throws `DatasetError` naming `name` (and the line of malformed JSONL).
 */
export async function decodeDatasetRows(
  bytes: Uint8Array,
  name: string,
  settings: { format?: DatasetFormatV1 | undefined; csvColumns?: string[] | undefined } = {},
): Promise<DatasetRowV1[]> {
  const compressed = name.endsWith('.gz');
  const format = settings.format ?? formatFromName(compressed ? name.slice(0, -3) : name);
  try {
    const decoded = Buffer.from(compressed ? gunzipSync(bytes) : bytes);
    switch (format) {
      case 'jsonl':
        return decoded
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line, index) => parseJsonObject(line, `line ${index + 1}`));
      case 'json': {
        const value: unknown = JSON.parse(decoded.toString('utf8'));
        if (!Array.isArray(value)) throw new Error('expected a JSON array of rows');
        return value.map((row, index) => asRow(row, `row ${index}`));
      }
      case 'csv':
        return parseCsv(decoded, {
          columns: settings.csvColumns ?? true,
          relax_column_count: false,
          bom: true,
        }) as DatasetRowV1[];
      case 'parquet': {
        const buffer = decoded.buffer.slice(
          decoded.byteOffset,
          decoded.byteOffset + decoded.byteLength,
        ) as ArrayBuffer;
        return (await parquetReadObjects({ file: buffer })) as DatasetRowV1[];
      }
    }
  } catch (error) {
    throw new DatasetError(`Could not read ${name} as ${format}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function formatFromName(name: string): DatasetFormatV1 {
  const extension = name.slice(name.lastIndexOf('.') + 1);
  if (extension === 'jsonl' || extension === 'json' || extension === 'csv' || extension === 'parquet') {
    return extension;
  }
  throw new DatasetError(`Cannot tell the format of ${name}: give DatasetFile.format.`);
}

function parseJsonObject(text: string, where: string): DatasetRowV1 {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  return asRow(value, where);
}

function asRow(value: unknown, where: string): DatasetRowV1 {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a JSON object`);
  }
  return value as DatasetRowV1;
}
