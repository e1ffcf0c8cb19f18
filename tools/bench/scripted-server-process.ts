// Starts the test-kit's scripted OpenAI-compatible server in a process of its own (so that the server's
// work does not count against the process being measured) and prints its URL on stdout.
import { startScriptedServer } from '@evalchemy/test-kit/scripted-server';

const latencyMs = Number(process.argv[2] ?? '50');
const server = await startScriptedServer({ latencyMs, reply: () => 'ok', recordRequests: false });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
