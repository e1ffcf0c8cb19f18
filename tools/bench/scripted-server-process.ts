// Starts the test-kit's scripted OpenAI-compatible server in a process of its own (so that the server's
// work does not count against the process being measured) and prints its URL on stdout.
// Arguments: latency in ms (default 50); the answer (default "ok"), or `rules:` and a JSON list of
// [substring, answer] rules, the first whose substring some message contains answering, else the last rule.
// Optional third and fourth: answer at most K requests at a time, refusing the rest with 429 and
// `retry-after-ms` (default 1000): the test-kit's `admitAtMost` and `rateLimitRetryAfterMs`.
import { startScriptedServer } from '@evalchemy/test-kit/scripted-server';

const latencyMs = Number(process.argv[2] ?? '50');
const answer = process.argv[3] ?? 'ok';
const rules: [string, string][] = answer.startsWith('rules:')
  ? JSON.parse(answer.slice('rules:'.length))
  : [['', answer]];
const admitAtMost = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const rateLimitRetryAfterMs = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const server = await startScriptedServer({
  latencyMs,
  ...(admitAtMost !== undefined ? { admitAtMost } : {}),
  ...(rateLimitRetryAfterMs !== undefined ? { rateLimitRetryAfterMs } : {}),
  reply: ({ messages = [], prompt = '' }) => {
    const text = messages.map((message) => message.content).join('\n') + prompt;
    return (rules.find(([substring]) => text.includes(substring)) ?? rules.at(-1)!)[1];
  },
  recordRequests: false,
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
