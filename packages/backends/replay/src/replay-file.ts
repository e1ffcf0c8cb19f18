import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';

/** Where one response belongs: the `RequestOrigin` fields replay answers by. */
export interface ReplayKey {
  task: string;
  sampleId: string;
  turn: number;
  generation: number;
}

/** The responses of a replay file, looked up by origin. */
export interface ReplayFile {
  /** Absolute or user-given path of the file, for messages and `describe()`. */
  path: string;
  /** Number of responses (one per task, sample, turn and generation). */
  recordCount: number;
  /**
   * The response for a key, or undefined when the file has none. An AlpacaEval outputs file is keyed by
   * instruction: its answers are found by `prompt`, the request's first user message (or completion prompt).
   */
  lookup(key: ReplayKey, prompt: string | undefined): string | undefined;
}

/** One entry of an AlpacaEval outputs file (`results/<model>/model_outputs.json` of alpaca_eval): a JSON array. */
export const alpacaEvalOutputSchema = z.object({
  instruction: z.string(),
  output: z.string(),
});

const index = z.number().int().min(0);
// Row indices are natural to write as numbers; they are compared as strings like every sample id.
const sampleIdSchema = z.union([z.string(), z.number().int().min(0)]).transform(String);

/** One line of the evalchemy replay format. */
export const replayRecordSchema = z.object({
  task: z.string().min(1),
  sample_id: sampleIdSchema,
  turn: index.default(0),
  generation: index.default(0),
  response: z.string(),
});

/** One line of a FastChat MT-Bench answer file (`data/mt_bench/model_answer/<model>.jsonl`). */
export const mtBenchAnswerSchema = z.object({
  question_id: z.union([z.number().int(), z.string().min(1)]).transform(String),
  choices: z.array(z.object({ index: index.optional(), turns: z.array(z.string()).min(1) })).min(1),
});

/**
 * One line of an evalchemy samples file (`samples_<task>_<timestamp>.jsonl`, core's `sampleRecordSchema`):
 * only what replay needs. `responses[g][t]` is the answer of generation g to turn t.
 */
export const samplesFileLineSchema = z.object({
  task: z.string().min(1),
  sample_id: z.string(),
  responses: z
    .union([
      z.array(z.array(z.object({ text: z.string() }))),
      // A loglikelihood sample's per-continuation scores: nothing to replay.
      z.array(z.object({ logprob: z.number().nullable() })),
    ])
    .optional(),
});

/**
 * Reads and validates a replay file. A file that is a JSON array is an AlpacaEval outputs file. Otherwise each
 * JSONL line is detected on its own: a line with `question_id` and
 * `choices` is a FastChat MT-Bench answer (task `mtBenchTask`); a line with `index` and `prompt` is a line of
 * an evalchemy samples file (its generated answers are replayed; a sample that failed before the model
 * answered, or a loglikelihood sample, adds nothing); any other an evalchemy record.
 * Throws `ConfigurationError` naming the file and line for a malformed line, and naming the keys for duplicates.
 */
export async function loadReplayFile(path: string, mtBenchTask: string): Promise<ReplayFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `replay: cannot read ${path}: ${(error as Error).message}. Pass path=<a JSONL file of responses>.`,
      { cause: error },
    );
  }

  if (text.trimStart().startsWith('[')) return loadAlpacaEvalOutputs(path, text);

  const responses = new Map<string, { response: string; line: number }>();
  const duplicates: string[] = [];
  const add = (key: ReplayKey, response: string, line: number) => {
    const id = keyId(key);
    const earlier = responses.get(id);
    if (earlier !== undefined) {
      duplicates.push(`${describeKey(key)} (lines ${earlier.line} and ${line})`);
      return;
    }
    responses.set(id, { response, line });
  };

  const lines = text.split('\n');
  for (const [position, raw] of lines.entries()) {
    const line = position + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ConfigurationError(
        `replay: ${path} line ${line} is not valid JSON: ${(error as Error).message}.`,
        {
          cause: error,
        },
      );
    }
    if (isMtBenchLine(value)) {
      const answer = parseLine(mtBenchAnswerSchema, value, path, line, 'a FastChat MT-Bench answer');
      for (const [choicePosition, choice] of answer.choices.entries()) {
        for (const [turn, response] of choice.turns.entries()) {
          const key = {
            task: mtBenchTask,
            sampleId: answer.question_id,
            turn,
            generation: choice.index ?? choicePosition,
          };
          add(key, response, line);
        }
      }
    } else if (isSamplesFileLine(value)) {
      const record = parseLine(samplesFileLineSchema, value, path, line, 'a samples-file line');
      for (const [generation, turns] of (record.responses ?? []).entries()) {
        if (!Array.isArray(turns)) continue;
        for (const [turn, response] of turns.entries())
          add({ task: record.task, sampleId: record.sample_id, turn, generation }, response.text, line);
      }
    } else {
      const record = parseLine(replayRecordSchema, value, path, line, 'a replay record');
      add(
        { task: record.task, sampleId: record.sample_id, turn: record.turn, generation: record.generation },
        record.response,
        line,
      );
    }
  }

  if (duplicates.length > 0) {
    const shown = duplicates.slice(0, 5).join('; ');
    const more = duplicates.length > 5 ? `; and ${duplicates.length - 5} more` : '';
    throw new ConfigurationError(
      `replay: ${path} has more than one response for ${shown}${more}. Keep one response per task, sample_id, turn and generation.`,
    );
  }

  return {
    path,
    recordCount: responses.size,
    lookup: (key) => responses.get(keyId(key))?.response,
  };
}

/**
 * An AlpacaEval outputs file: a JSON array of `{instruction, output, generator, …}`, answered by instruction
 * for every task (the instruction is the whole prompt of AlpacaEval). Only turn 0, generation 0 has an answer.
 */
function loadAlpacaEvalOutputs(path: string, text: string): ReplayFile {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`replay: ${path} is not valid JSON: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  const outputs = new Map<string, { response: string; entry: number }>();
  const duplicates: string[] = [];
  for (const [position, value] of (entries as unknown[]).entries()) {
    const entry = parseEntry(value, path, position);
    const earlier = outputs.get(entry.instruction);
    if (earlier !== undefined && earlier.response !== entry.output)
      duplicates.push(`entries ${earlier.entry} and ${position}`);
    outputs.set(entry.instruction, { response: entry.output, entry: position });
  }
  if (duplicates.length > 0)
    throw new ConfigurationError(
      `replay: ${path} answers one instruction differently in ${duplicates.slice(0, 5).join('; ')}. Keep one output per instruction.`,
    );
  return {
    path,
    recordCount: outputs.size,
    lookup: (key, prompt) =>
      key.turn === 0 && key.generation === 0 && prompt !== undefined
        ? outputs.get(prompt)?.response
        : undefined,
  };
}

function parseEntry(value: unknown, path: string, position: number): z.output<typeof alpacaEvalOutputSchema> {
  const result = alpacaEvalOutputSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigurationError(
    `replay: ${path} entry ${position} is not an AlpacaEval output: ${problems}. Expected [{"instruction", "output"}, …].`,
  );
}

/** `task "gsm8k", sample_id "3", turn 0, generation 0`: how messages name a key. */
export function describeKey(key: ReplayKey): string {
  return `task "${key.task}", sample_id "${key.sampleId}", turn ${key.turn}, generation ${key.generation}`;
}

function keyId(key: ReplayKey): string {
  return JSON.stringify([key.task, key.sampleId, key.turn, key.generation]);
}

function isMtBenchLine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'question_id' in value && 'choices' in value;
}

/** A samples-file line: only those carry the sample's position (`index`) and what was asked (`prompt`). */
function isSamplesFileLine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'index' in value && 'prompt' in value;
}

function parseLine<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  path: string,
  line: number,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(line)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigurationError(
    `replay: ${path} line ${line} is not ${what}: ${problems}. ` +
      'Expected {"task", "sample_id", "turn", "generation", "response"}, {"question_id", "choices": [{"index", "turns"}]} ' +
      'or a line of an evalchemy samples file.',
  );
}
