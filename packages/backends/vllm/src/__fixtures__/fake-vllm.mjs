#!/usr/bin/env node
// A stand-in for vLLM's `vllm serve` in tests (Node 20 or later, no dependencies). It takes vLLM's arguments,
// serves /health, /v1/models, /v1/chat/completions and /v1/completions on --host/--port, and answers every
// request with the same text; which replica answered is in the `x-replica` header and in its log.
//
// Environment:
//   FAKE_VLLM_RECORD      file to which one JSON line is appended at start: { argv, cudaVisibleDevices, pid, port, childPid }
//   FAKE_VLLM_HEALTHY_AFTER_MS  /health answers 503 until this long after start (default 0)
//   FAKE_VLLM_EXIT        exit at once with code 1 after printing this message to stderr
//   FAKE_VLLM_CHILD       when set, spawn a child process (in the same process group) that ignores SIGTERM
//                         and sleeps forever: only a SIGKILL to the whole group ends it
//   FAKE_VLLM_ANSWER_MS   delay before each answer (default 0)
//   FAKE_VLLM_SLOW_GPUS   with FAKE_VLLM_ANSWER_MS: only the replica with this CUDA_VISIBLE_DEVICES is slow
//   FAKE_VLLM_IGNORE_TERM when set, ignore SIGTERM (so only SIGKILL ends it)
//   FAKE_VLLM_MS_PER_TOKEN  with it, each answer also takes this long per requested `max_tokens` (a long
//                         generation takes long), for tools/bench/vllm-routing.ts
//   FAKE_VLLM_MAX_NUM_SEQS  requests generated at once, as vLLM's --max-num-seqs; later ones wait in order
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const argv = process.argv.slice(2);
const option = (name) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
if (argv[0] === '--version') {
  console.log('0.0.0-stand-in');
  process.exit(0);
}
if (argv[0] !== 'serve' || argv[1] === undefined) {
  console.error('usage: vllm serve <model> --host HOST --port PORT ...');
  process.exit(2);
}
const model = argv[1];
const host = option('--host') ?? '127.0.0.1';
const port = Number(option('--port') ?? 8000);
const started = Date.now();
const env = process.env;
const replica = `${port}`;

console.log(`INFO vLLM API server version 0.0.0-stand-in`);
console.log(`INFO args: ${JSON.stringify(argv)} CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES ?? ''}`);

let childPid;
if (env.FAKE_VLLM_CHILD) {
  const child = spawn(
    process.execPath,
    ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"],
    {
      stdio: 'ignore',
    },
  );
  childPid = child.pid;
}
if (env.FAKE_VLLM_RECORD) {
  appendFileSync(
    env.FAKE_VLLM_RECORD,
    `${JSON.stringify({ argv, cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES ?? null, pid: process.pid, port, childPid })}\n`,
  );
}
if (env.FAKE_VLLM_EXIT) {
  console.error(`ERROR ${env.FAKE_VLLM_EXIT}`);
  process.exit(1);
}

const healthyAfter = Number(env.FAKE_VLLM_HEALTHY_AFTER_MS ?? 0);
const slow = env.FAKE_VLLM_SLOW_GPUS === undefined || env.FAKE_VLLM_SLOW_GPUS === env.CUDA_VISIBLE_DEVICES;
const answerDelay = slow ? Number(env.FAKE_VLLM_ANSWER_MS ?? 0) : 0;
const answer = 'The answer is 42.';
const msPerToken = Number(env.FAKE_VLLM_MS_PER_TOKEN ?? 0);
const maxNumSeqs = Number(env.FAKE_VLLM_MAX_NUM_SEQS ?? Infinity);
let running = 0;
const waiting = [];
/** Runs `generate` (which calls its argument when done) once fewer than FAKE_VLLM_MAX_NUM_SEQS are running. */
function schedule(generate) {
  if (running >= maxNumSeqs) return void waiting.push(generate);
  running += 1;
  generate(() => {
    running -= 1;
    const next = waiting.shift();
    if (next !== undefined) schedule(next);
  });
}

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'x-replica': replica });
  response.end(JSON.stringify(body));
}

/** Whitespace-led word tokens of `text` with their offsets, for echoed completions. */
function tokensOf(text) {
  const tokens = text.match(/\s*\S+|\s+$/g) ?? [];
  const offsets = [];
  let offset = 0;
  for (const token of tokens) {
    offsets.push(offset);
    offset += token.length;
  }
  return { tokens, offsets };
}

const server = createServer((request, response) => {
  let raw = '';
  request.on('data', (chunk) => {
    raw += chunk;
  });
  request.on('end', () => {
    const path = request.url ?? '/';
    if (request.method === 'GET' && path === '/health') {
      if (Date.now() - started < healthyAfter) {
        console.log('INFO GET /health 503 (loading)');
        return send(response, 503, { error: 'loading' });
      }
      console.log('INFO GET /health 200');
      response.writeHead(200, { 'x-replica': replica });
      return response.end();
    }
    if (request.method === 'GET' && path === '/v1/models') {
      return send(response, 200, { object: 'list', data: [{ id: model, object: 'model', root: model }] });
    }
    if (request.method !== 'POST') return send(response, 404, { error: 'not found' });
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(response, 400, { error: 'bad json' });
    }
    console.log(
      `INFO request ${path} on replica port ${port} (${request.headers.authorization ?? 'no authorization'})`,
    );
    const generationMs = answerDelay + msPerToken * Number(body.max_tokens ?? 0);
    schedule((done) =>
      setTimeout(() => {
        done();
        if (body.model !== model) return send(response, 404, { error: `model ${body.model} not served` });
        const usage = { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 };
        if (path === '/v1/chat/completions') {
          return send(response, 200, {
            id: 'chat',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
            usage,
          });
        }
        if (path === '/v1/completions') {
          if (body.echo) {
            const { tokens, offsets } = tokensOf(String(body.prompt));
            return send(response, 200, {
              id: 'cmpl',
              object: 'text_completion',
              choices: [
                {
                  index: 0,
                  text: String(body.prompt),
                  finish_reason: 'length',
                  logprobs: {
                    tokens,
                    token_logprobs: tokens.map((_, index) => (index === 0 ? null : -0.5)),
                    top_logprobs: tokens.map((token, index) => (index === 0 ? null : { [token]: -0.5 })),
                    text_offset: offsets,
                  },
                },
              ],
              usage,
            });
          }
          return send(response, 200, {
            id: 'cmpl',
            object: 'text_completion',
            choices: [{ index: 0, text: ` ${answer}`, finish_reason: 'stop', logprobs: null }],
            usage,
          });
        }
        return send(response, 404, { error: 'not found' });
      }, generationMs),
    );
  });
});
server.listen(port, host, () => console.log(`INFO Uvicorn running on http://${host}:${port}`));
process.on('SIGTERM', () => {
  if (env.FAKE_VLLM_IGNORE_TERM) return console.log('INFO ignoring SIGTERM');
  console.log('INFO shutting down');
  server.close();
  process.exit(0);
});
