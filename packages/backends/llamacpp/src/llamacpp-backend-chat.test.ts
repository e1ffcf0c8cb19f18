import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessageV1, GenerateRequestV1, GenerationParametersV1 } from '@evalchemy/core';
import { readGgufFileInfo } from '@evalchemy/node-llama-cpp';
import { runBackendConformance, sharedModelsDirectory } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addStringMetadata,
  chatMlTemplate,
  writeGgufWithChatTemplate,
} from './__fixtures__/gguf-with-chat-template.js';
import { createLlamaCppBackend, type LlamaCppBackend } from './index.js';

// stories260K.gguf has no chat template; these tests run it with one added, in a copy made for the run.
const modelPath = join(sharedModelsDirectory(), 'stories260K.gguf');
const call = { signal: new AbortController().signal, directory: tmpdir() };
const origin = { task: 'test', sampleId: '0', turn: 0, generation: 0 };

/** A template in plain text, not ChatML: node-llama-cpp runs it as Jinja, and a newline ends a turn. */
const plainTemplate =
  "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

const question: ChatMessageV1[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Tell me a story about a dog.' },
];

function chat(messages: ChatMessageV1[], parameters: GenerationParametersV1): GenerateRequestV1 {
  return { type: 'chat', messages, parameters, origin };
}

function completion(prompt: string, parameters: GenerationParametersV1): GenerateRequestV1 {
  return { type: 'completion', prompt, parameters, origin };
}

/** What `chatMlTemplate` renders, written out by hand. */
function renderChatMl(messages: ChatMessageV1[]): string {
  const turns = messages.map((message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`);
  return `${turns.join('')}<|im_start|>assistant\n`;
}

/** What `plainTemplate` renders, written out by hand. */
function renderPlain(messages: ChatMessageV1[]): string {
  return `${messages.map((message) => `${message.role}: ${message.content}\n`).join('')}assistant: `;
}

describe('llamacpp backend with a ChatML chat template (templated copy of stories260K.gguf)', () => {
  let directory: string;
  let chatModelPath: string;
  let backend: LlamaCppBackend;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'evalchemy-llamacpp-chat-'));
    chatModelPath = await writeGgufWithChatTemplate(modelPath, directory, chatMlTemplate);
    backend = createLlamaCppBackend({ model: chatModelPath, threads: '1' });
    await backend.doStart(call);
  });
  afterAll(async () => {
    await backend?.doStop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it('copies the model with the template added and the other metadata, tensors and weights unchanged', async () => {
    const [original, copy] = await Promise.all([
      readGgufFileInfo(modelPath),
      readGgufFileInfo(chatModelPath),
    ]);
    const { chat_template: template, ...tokenizer } = copy.metadata.tokenizer;
    expect(template).toBe(chatMlTemplate);
    expect({ ...copy.metadata, tokenizer }).toEqual(original.metadata);
    const layout = (tensors: typeof original.tensorInfo) =>
      tensors?.map(({ name, dimensions, ggmlType, offset }) => ({ name, dimensions, ggmlType, offset }));
    expect(layout(copy.tensorInfo)).toEqual(layout(original.tensorInfo));
    expect(copy.tensorInfo).toHaveLength(48);

    const [originalBytes, copyBytes] = await Promise.all([readFile(modelPath), readFile(chatModelPath)]);
    const dataStart = (info: typeof original) => Number(info.tensorInfo?.[0]?.fileOffset);
    expect(dataStart(copy) % 32).toBe(0);
    const weights = originalBytes.subarray(dataStart(original));
    expect(copyBytes.subarray(dataStart(copy)).equals(weights)).toBe(true);
    expect(() => addStringMetadata(copyBytes, 'tokenizer.chat_template', 'again')).toThrow('already has');
  });

  it('claims chat once started, and describes the chat format it found', async () => {
    expect(createLlamaCppBackend({ model: chatModelPath }).capabilities.chat).toBe(false);
    expect(backend.capabilities).toEqual({
      chat: true,
      completion: true,
      loglikelihood: true,
      cacheable: true,
      maxConcurrency: 1,
    });
    expect(backend.describe()).toMatchObject({
      modelPath: chatModelPath,
      architecture: 'llama',
      parameterCount: 292_800,
      chatTemplate: true,
      chatWrapper: 'ChatML',
    });
    // Same weights as the original: the start token still continues into the original's story.
    const story = await backend.doGenerate(completion('', { maxTokens: 24, temperature: 0 }), call);
    expect(story.text.trimStart().startsWith('Once upon a time')).toBe(true);
  });

  it('answers a system + user chat greedily, the same way every time, and reports usage', async () => {
    const parameters = { maxTokens: 24, temperature: 0 };
    const first = await backend.doGenerate(chat(question, parameters), call);
    await backend.doGenerate(chat([{ role: 'user', content: 'Hi' }], { maxTokens: 4, temperature: 0 }), call);
    const second = await backend.doGenerate(chat(question, parameters), call);
    expect(second).toEqual(first);
    expect(first.text.trim().length).toBeGreaterThan(0);
    expect(first.usage?.promptTokens).toBeGreaterThan(0);
    expect(first.usage?.completionTokens).toBeGreaterThan(0);
    expect(first.usage?.completionTokens).toBeLessThanOrEqual(24);
    expect(first.warnings).toEqual([]);
  });

  it('reads exactly the ChatML text the template renders: same tokens and answer as that text as a completion', async () => {
    const parameters = { maxTokens: 32, temperature: 0 };
    const answer = await backend.doGenerate(chat(question, parameters), call);
    const rendered = await backend.doGenerate(completion(renderChatMl(question), parameters), call);
    expect(answer.usage).toEqual(rendered.usage);
    expect(answer.text).toBe(rendered.text);
    // The bare messages are a different prompt: the template was not skipped.
    const bare = await backend.doGenerate(
      completion(question.map((message) => message.content).join('\n'), parameters),
      call,
    );
    expect(bare.usage?.promptTokens).toBeLessThan(answer.usage?.promptTokens ?? 0);
  });

  it('renders an earlier answer as an assistant turn in a multi-turn chat', async () => {
    const conversation: ChatMessageV1[] = [
      { role: 'user', content: 'Who is Lily?' },
      { role: 'assistant', content: 'Lily is a little girl who loves to play outside.' },
      { role: 'user', content: 'What did she find?' },
    ];
    const parameters = { maxTokens: 32, temperature: 0 };
    const answer = await backend.doGenerate(chat(conversation, parameters), call);
    const rendered = await backend.doGenerate(completion(renderChatMl(conversation), parameters), call);
    expect(answer.usage).toEqual(rendered.usage);
    expect(answer.text).toBe(rendered.text);
    expect(answer.text.trim().length).toBeGreaterThan(0);
  });

  it('stops a chat answer after maxTokens tokens with finishReason length', async () => {
    const result = await backend.doGenerate(chat(question, { maxTokens: 5, temperature: 0 }), call);
    expect(result.finishReason).toBe('length');
    expect(result.usage?.completionTokens).toBe(5);
  });

  it('ends a chat answer at the first stop string and leaves it out', async () => {
    const free = await backend.doGenerate(chat(question, { maxTokens: 40, temperature: 0 }), call);
    const cut = free.text.indexOf('.');
    expect(cut).toBeGreaterThan(0);
    const stopped = await backend.doGenerate(
      chat(question, { maxTokens: 40, temperature: 0, stop: ['.'] }),
      call,
    );
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(free.text.slice(0, cut));
  });

  runBackendConformance({
    name: 'backend-llamacpp with a chat template',
    createBackend: () => createLlamaCppBackend({ model: chatModelPath, threads: '1' }),
    expectLoglikelihood: true,
  });
});

describe('llamacpp backend with a plain-text chat template whose turns end with a newline', () => {
  let directory: string;
  let backend: LlamaCppBackend;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'evalchemy-llamacpp-chat-'));
    const chatModelPath = await writeGgufWithChatTemplate(modelPath, directory, plainTemplate);
    // llama.cpp pads a context to a multiple of 256 tokens: 256 is the smallest it makes.
    backend = createLlamaCppBackend({ model: chatModelPath, threads: '1', context_size: '256' });
    await backend.doStart(call);
  });
  afterAll(async () => {
    await backend?.doStop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it("runs the template with node-llama-cpp's Jinja wrapper and ends the answer where the turn ends", async () => {
    expect(backend.describe()).toMatchObject({ chatTemplate: true, chatWrapper: 'JinjaTemplate' });
    const parameters = { maxTokens: 60, temperature: 0 };
    const rendered = await backend.doGenerate(completion(renderPlain(question), parameters), call);
    const turnEnd = rendered.text.indexOf('\n');
    expect(turnEnd).toBeGreaterThan(0);
    const answer = await backend.doGenerate(chat(question, parameters), call);
    expect(answer.usage?.promptTokens).toBe(rendered.usage?.promptTokens);
    expect(answer.text).toBe(rendered.text.slice(0, turnEnd));
    expect(answer.finishReason).toBe('stop');
  });

  it('keeps the end of an over-long chat prompt and warns, instead of failing', async () => {
    const sentence = 'Once upon a time, there was a little girl named Lily. She loved to play outside. ';
    const story = sentence.repeat(20);
    const result = await backend.doGenerate(
      chat([{ role: 'user', content: story }], { maxTokens: 16, temperature: 0 }),
      call,
    );
    expect(result.usage?.promptTokens).toBe(256 - 16);
    expect(result.warnings).toContainEqual(expect.objectContaining({ type: 'truncated-prompt' }));
    expect(['stop', 'length']).toContain(result.finishReason);
  });
});
