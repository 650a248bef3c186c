import type { Server } from 'node:http';
import { serve } from '@hono/node-server';

/** For tests: `fetch` (an app's) served over plain HTTP on 127.0.0.1 at a free port. */
export type TestServer = { url: string; close(): Promise<void> };

type Fetch = Parameters<typeof serve>[0]['fetch'];

export function startTestServer(fetch: Fetch): Promise<TestServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
