import { createServer, type Server } from 'node:http';

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1 (the CLI's HF_ENDPOINT) serving `files` by URL path
 * (`/datasets/<repository>/resolve/<revision>/<path>`): for benchmarks without an offline copy in shared/datasets.
 */
export async function startHubStandIn(files: ReadonlyMap<string, Buffer>): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    const body = files.get(request.url ?? '');
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the Hub stand-in has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
