import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AppError } from './errors.ts';

export type TlsOptions = {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA bundle client certificates must chain to; with `requireClientCert` this turns mutual TLS on. */
  ca?: string | Buffer;
  requireClientCert?: boolean;
};

export type Listening = { url: string; port: number; host: string; close(): Promise<void> };

type Fetch = (req: Request, env: never) => Response | Promise<Response>;

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). Clients follow the server's hint, so with
 * 5 s a client's pool went cold in every quiet spell longer than 3 s, and the next burst paid a full TLS handshake per
 * connection (tens of ms each under load); a minute outlasts ordinary pauses between bursts.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Serves a Hono app over HTTPS (optionally mutual TLS). Resolves once listening; port 0 picks a free port. */
export async function serveHttps(
  fetch: Fetch,
  opts: { port: number; host: string; tls: TlsOptions },
): Promise<Listening> {
  const { tls } = opts;
  const mtls = tls.requireClientCert === true;
  if (mtls && !tls.ca) throw new Error('mutual TLS needs the CA that client certificates must chain to');
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: fetch as never,
        port: opts.port,
        hostname: opts.host,
        createServer: createHttpsServer,
        serverOptions: {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: mtls,
          rejectUnauthorized: mtls,
        },
      },
      (info: AddressInfo) => {
        const https = server as HttpsServer;
        https.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
        // Kept above the keep-alive timeout, as Node advises, so a request arriving on an idle socket is not cut.
        https.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
        const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
        const shown = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
        resolve({
          url: `https://${shown}:${info.port}`,
          port: info.port,
          host: opts.host,
          close: () =>
            new Promise<void>((done) => {
              // Event streams never end on their own: cut open connections so close() returns.
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => done());
            }),
        });
      },
    );
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(
          new AppError(
            'PORT_IN_USE',
            409,
            `port ${opts.port} on ${opts.host} is in use; stop what uses it or pass --port`,
          ),
        );
      else if (err.code === 'EACCES')
        reject(
          new AppError('PORT_FORBIDDEN', 403, `not allowed to listen on port ${opts.port}; use a port above 1023`),
        );
      else reject(err);
    });
  });
}
