import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatasetFileV1 } from '@evalchemy/core';

/** A stand-in for the Hugging Face Hub on 127.0.0.1: serves given files at their pinned `resolve` URLs. */
export interface ScriptedHub {
  /** Base URL to pass as `hubEndpoint` (or `HF_ENDPOINT`). */
  readonly endpoint: string;
  /** Every requested path, in order (404s included), so tests can check what was downloaded. */
  readonly requested: string[];
  close(): Promise<void>;
}

/** Serves each file's bytes at `/datasets/<repository>/resolve/<revision>/<path>`; anything else is 404. */
export async function startScriptedHub(
  files: { file: DatasetFileV1; content: Uint8Array | string }[],
): Promise<ScriptedHub> {
  const routes = new Map(
    files.map(({ file, content }) => {
      const prefix = file.hub.repositoryType === 'model' ? '' : '/datasets';
      return [`${prefix}/${file.hub.repository}/resolve/${file.hub.revision}/${file.hub.path}`, content];
    }),
  );
  const requested: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    requested.push(path);
    const content = routes.get(path);
    if (content === undefined) response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(content);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requested,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
