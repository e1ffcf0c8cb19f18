import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * ChatML, the template of Qwen, SmolLM and many fine-tunes. It mentions `<|im_start|>`, so node-llama-cpp
 * resolves it to its ChatMLChatWrapper.
 */
export const chatMlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GGUF metadata value types (docs/gguf.md, `gguf_metadata_value_type`). */
const valueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

const fixedSize: Record<number, number> = {
  [valueType.uint8]: 1,
  [valueType.int8]: 1,
  [valueType.bool]: 1,
  [valueType.uint16]: 2,
  [valueType.int16]: 2,
  [valueType.uint32]: 4,
  [valueType.int32]: 4,
  [valueType.float32]: 4,
  [valueType.uint64]: 8,
  [valueType.int64]: 8,
  [valueType.float64]: 8,
};

const defaultAlignment = 32;

/** A forward-only little-endian reader over a GGUF file. */
class Cursor {
  offset = 0;
  constructor(private readonly bytes: Buffer) {}

  u32(): number {
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): number {
    const value = this.bytes.readBigUInt64LE(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF: u64 ${value} is too large`);
    return Number(value);
  }

  string(): string {
    const length = this.u64();
    const text = this.bytes.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  /** Steps over one value of `type`, returning it when it is a u32 (for `general.alignment`). */
  skipValue(type: number): number | undefined {
    if (type === valueType.string) {
      this.string();
      return undefined;
    }
    if (type === valueType.array) {
      const elementType = this.u32();
      const count = this.u64();
      const size = fixedSize[elementType];
      if (size !== undefined) this.offset += size * count;
      else for (let index = 0; index < count; index++) this.skipValue(elementType);
      return undefined;
    }
    const size = fixedSize[type];
    if (size === undefined)
      throw new Error(`GGUF: unknown metadata value type ${type} at byte ${this.offset}`);
    const value = type === valueType.uint32 ? this.bytes.readUInt32LE(this.offset) : undefined;
    this.offset += size;
    return value;
  }
}

function encodeString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([length, bytes]);
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

/**
 * Rewrites a GGUF v2/v3 file with one more string metadata entry. The header, the other entries, the tensor
 * infos and the tensor data are kept byte for byte; only the padding before the data section changes, because
 * tensor offsets count from the (aligned) start of that section.
 */
export function addStringMetadata(gguf: Buffer, key: string, value: string): Buffer {
  const cursor = new Cursor(gguf);
  if (gguf.toString('latin1', 0, 4) !== 'GGUF') throw new Error('GGUF: bad magic, not a GGUF file');
  cursor.offset = 4;
  const version = cursor.u32();
  if (version < 2) throw new Error(`GGUF: version ${version} is not supported (only 2 and 3)`);
  const tensorCount = cursor.u64();
  const kvCount = cursor.u64();
  const headerEnd = cursor.offset;

  let alignment = defaultAlignment;
  for (let index = 0; index < kvCount; index++) {
    const existing = cursor.string();
    if (existing === key) throw new Error(`GGUF: the file already has ${key}`);
    const value = cursor.skipValue(cursor.u32());
    if (existing === 'general.alignment' && value !== undefined) alignment = value;
  }
  const kvEnd = cursor.offset;

  for (let index = 0; index < tensorCount; index++) {
    cursor.string();
    const dimensions = cursor.u32();
    cursor.offset += 8 * dimensions + 4 + 8; // dims, ggml type, offset
  }
  const tensorInfoEnd = cursor.offset;
  const dataStart = alignUp(tensorInfoEnd, alignment);
  if (dataStart > gguf.length) throw new Error('GGUF: the file ends before its tensor data');

  const header = Buffer.from(gguf.subarray(0, headerEnd));
  header.writeBigUInt64LE(BigInt(kvCount + 1), headerEnd - 8);
  const typeField = Buffer.alloc(4);
  typeField.writeUInt32LE(valueType.string);
  const entry = Buffer.concat([encodeString(key), typeField, encodeString(value)]);
  const beforeData = Buffer.concat([
    header,
    gguf.subarray(headerEnd, kvEnd),
    entry,
    gguf.subarray(kvEnd, tensorInfoEnd),
  ]);
  const padding = Buffer.alloc(alignUp(beforeData.length, alignment) - beforeData.length);
  return Buffer.concat([beforeData, padding, gguf.subarray(dataStart)]);
}

/**
 * Writes a copy of the GGUF file at `sourcePath` into `directory` with `tokenizer.chat_template` set to
 * `template`, and returns the copy's path. The caller owns `directory` (a temporary one) and removes it.
 */
export async function writeGgufWithChatTemplate(
  sourcePath: string,
  directory: string,
  template: string = chatMlTemplate,
): Promise<string> {
  const copy = addStringMetadata(await readFile(sourcePath), 'tokenizer.chat_template', template);
  const target = join(directory, basename(sourcePath).replace(/\.gguf$/, '-chat.gguf'));
  await writeFile(target, copy);
  return target;
}
