// The vllm backend's routing: each request to the replica with the fewest in flight, against round-robin
// over the same replicas. D stand-in `vllm serve` replicas (the backend's test fixture), each generating at
// most S requests at once (vLLM's --max-num-seqs; later ones wait in order) and taking 1 ms per requested
// token. N requests, C in flight (C = D × S: every slot busy), with a long-tailed length: 85 % ask 20–200
// tokens, 15 % 1000–4000 (long reasoning answers), drawn from a seeded generator, the same for both. Side by side
// in each round, alternating: the backend as users get it (least loaded), and round-robin (request i to
// replica i mod D) through one OpenAIBackend per replica. The floor is the total work ÷ (D × S).
// Usage (from tools/bench): pnpm exec tsx vllm-routing.ts [N=400] [D=4] [S=4] [R=3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createOpenAIBackend } from '@evalchemy/backend-openai';
import { createVllmBackend } from '@evalchemy/backend-vllm';
import type { BackendV1, GenerateRequestV1 } from '@evalchemy/core';
import { seededRandom } from './seeded-random.js';

const [requests, replicas, seqs, rounds] = [400, 4, 4, 3].map((fallback, index) =>
  Number(process.argv[2 + index] ?? fallback),
) as [number, number, number, number];
const concurrency = replicas * seqs;
const standIn = fileURLToPath(
  new URL('../../packages/backends/vllm/src/__fixtures__/fake-vllm.mjs', import.meta.url),
);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const random = seededRandom(14);
const lengths = Array.from({ length: requests }, () =>
  random() < 0.85 ? 20 + Math.floor(random() * 181) : 1000 + Math.floor(random() * 3001),
);
const floorSeconds = lengths.reduce((sum, tokens) => sum + tokens, 0) / 1000 / concurrency;

const request = (index: number): GenerateRequestV1 => ({
  type: 'chat',
  messages: [{ role: 'user', content: `question ${index}` }],
  parameters: { maxTokens: lengths[index]!, temperature: 0 },
  origin: { task: 'bench', sampleId: String(index), turn: 0, generation: 0 },
});

/** Sends every request, C at a time, through `route(index)`; seconds from first to last. */
async function timed(route: (index: number) => BackendV1): Promise<number> {
  const signal = new AbortController().signal;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const index = next++;
        await route(index).doGenerate(request(index), { signal });
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

const directory = await mkdtemp(`${tmpdir()}/evalchemy-vllm-routing-`);
const backend = createVllmBackend(
  { model: 'bench/model', vllm_bin: standIn, tensor_parallel_size: 1, data_parallel_size: replicas },
  {
    env: {
      PATH: process.env.PATH,
      CUDA_VISIBLE_DEVICES: Array.from({ length: replicas }, (_, gpu) => gpu).join(','),
      FAKE_VLLM_MS_PER_TOKEN: '1',
      FAKE_VLLM_MAX_NUM_SEQS: String(seqs),
    },
  },
);
await backend.doStart({ signal: new AbortController().signal, directory });
try {
  const ports = backend.describe().ports as number[];
  const direct = ports.map((port) =>
    createOpenAIBackend({ model: 'bench/model', base_url: `http://127.0.0.1:${port}/v1` }),
  );
  const times = { leastLoaded: [] as number[], roundRobin: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 === 0 ? (['leastLoaded', 'roundRobin'] as const) : (['roundRobin', 'leastLoaded'] as const);
    for (const routing of order) {
      const seconds = await timed(
        routing === 'leastLoaded' ? () => backend : (index) => direct[index % replicas]!,
      );
      times[routing].push(seconds);
      console.log(`round ${round + 1} ${routing}: ${seconds.toFixed(2)} s`);
    }
  }
  const least = median(times.leastLoaded);
  const robin = median(times.roundRobin);
  console.log(
    `\n${requests} requests, ${replicas} replicas × ${seqs} seqs, floor ${floorSeconds.toFixed(2)} s; medians of ${rounds}:` +
      `\n  least loaded ${least.toFixed(2)} s (${(least / floorSeconds).toFixed(2)} × floor)` +
      `\n  round-robin  ${robin.toFixed(2)} s (${(robin / floorSeconds).toFixed(2)} × floor)` +
      `\n  round-robin ÷ least loaded: ${(robin / least).toFixed(2)}`,
  );
} finally {
  await backend.doStop();
  await rm(directory, { recursive: true, force: true });
}
