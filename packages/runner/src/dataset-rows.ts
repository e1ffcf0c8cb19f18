import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetError, type DatasetFormatV1, type DatasetRowV1 } from '@evalchemy/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';

/** Decodes a data file into rows; the format comes from the argument or the file name (`.gz` is unpacked). */
export async function readDatasetRows(
  path: string,
  settings: { format?: DatasetFormatV1 | undefined; csvColumns?: string[] | undefined } = {},
): Promise<DatasetRowV1[]> {
  const compressed = path.endsWith('.gz');
  const name = compressed ? path.slice(0, -3) : path;
  const format = settings.format ?? formatFromName(name);
  let bytes: Buffer = await readFile(path);
  if (compressed) bytes = gunzipSync(bytes);
  try {
    switch (format) {
      case 'jsonl':
        return bytes
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line, index) => parseJsonObject(line, `line ${index + 1}`));
      case 'json': {
        const value: unknown = JSON.parse(bytes.toString('utf8'));
        if (!Array.isArray(value)) throw new Error('expected a JSON array of rows');
        return value.map((row, index) => asRow(row, `row ${index}`));
      }
      case 'csv':
        return parseCsv(bytes, {
          columns: settings.csvColumns ?? true,
          relax_column_count: false,
          bom: true,
        }) as DatasetRowV1[];
      case 'parquet': {
        const buffer = bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ) as ArrayBuffer;
        return (await parquetReadObjects({ file: buffer })) as DatasetRowV1[];
      }
    }
  } catch (error) {
    throw new DatasetError(`Could not read ${path} as ${format}: ${(error as Error).message}`, {
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
