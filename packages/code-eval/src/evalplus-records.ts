import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** The text fields of an evalplus task; its inputs stay in the raw line, for Python to decode. */
export interface EvalPlusRecord {
  taskId: string;
  prompt: string;
  entryPoint: string;
  canonicalSolution: string;
  /** MBPP+ only: the original MBPP asserts. */
  assertion?: string;
  /** The unparsed JSONL line (Python-flavoured JSON: `Infinity`, `NaN`, integers beyond 2^53). */
  record: string;
}

// evalplus writes Python's json (bare NaN / Infinity) which JSON.parse rejects: those tokens outside strings
// become null, which is harmless because only the text fields are read here.
function toStrictJson(line: string): string {
  let result = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (inString) {
      result += char;
      if (char === '\\') {
        result += line[i + 1] ?? '';
        i += 1;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    const rest = line.slice(i, i + 9);
    if (rest.startsWith('-Infinity')) {
      result += 'null';
      i += 8;
    } else if (rest.startsWith('Infinity')) {
      result += 'null';
      i += 7;
    } else if (rest.startsWith('NaN')) {
      result += 'null';
      i += 2;
    } else result += char;
  }
  return result;
}

/** Parses one line of `HumanEvalPlus.jsonl` / `MbppPlus.jsonl`. */
export function parseEvalPlusRecord(line: string): EvalPlusRecord {
  const fields = JSON.parse(toStrictJson(line)) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = fields[key];
    if (typeof value !== 'string') throw new Error(`evalplus record without a string "${key}"`);
    return value;
  };
  const parsed: EvalPlusRecord = {
    taskId: text('task_id'),
    prompt: text('prompt'),
    entryPoint: text('entry_point'),
    canonicalSolution: text('canonical_solution'),
    record: line,
  };
  if (typeof fields.assertion === 'string') parsed.assertion = fields.assertion;
  return parsed;
}

/** Reads a (gzipped) evalplus JSONL file. */
export async function readEvalPlusRecords(path: string): Promise<EvalPlusRecord[]> {
  let bytes: Buffer = await readFile(path);
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseEvalPlusRecord);
}
