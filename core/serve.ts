import type { RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { serve } from '@hono/node-server';
import { AppError } from './errors.ts';
import { setTransportSecurityHeaders } from './http/security-headers.ts';

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

/**
 * TLS 1.2 suites both services accept: forward secret (ECDHE) and authenticated encryption (AES-GCM,
 * ChaCha20-Poly1305) only, so a recorded session cannot be decrypted later with the server's key and no CBC/SHA-1
 * suite is left to downgrade to. TLS 1.3 suites are all of that already and keep Node's defaults (the list names no
 * TLS 1.3 suite, so Node leaves them as they are).
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The AppError a failed listen means to a user (a port in use, a privileged port), or the error as it is. */
function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  if (err.code === 'EADDRINUSE')
    return new AppError('PORT_IN_USE', 409, `port ${port} on ${host} is in use; stop what uses it or pass --port`, {
      port,
      host,
    });
  if (err.code === 'EACCES')
    return new AppError('PORT_FORBIDDEN', 403, `not allowed to listen on port ${port}; use a port above 1023`, {
      port,
      host,
    });
  if (err.code === 'EADDRNOTAVAIL')
    return new AppError('HOST_UNAVAILABLE', 400, `${host} is not an address of this machine; pass --host`, { host });
  return err;
}

/**
 * Checks, before anything is created, that every port can be listened on: binds each (all at once, so the same port
 * twice fails too) and lets go. Port 0 (any free port) always can. A program that must not leave half-made state
 * behind calls this first; the ports can still be taken in between, so it also cleans up when the real listen fails.
 */
export async function assertCanListen(host: string, ports: readonly number[]): Promise<void> {
  const held: TcpServer[] = [];
  try {
    for (const port of ports.filter((p) => p !== 0))
      await new Promise<void>((resolve, reject) => {
        const server = createTcpServer();
        server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, port, host)));
        server.listen({ port, host, exclusive: true }, () => {
          held.push(server);
          resolve();
        });
      });
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((done) => s.close(() => done()))));
  }
}

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
        // Every answer's security headers, set on Node's response before the app writes it (see security-headers.ts).
        createServer: ((options: ServerOptions, listener: RequestListener) =>
          createHttpsServer(options, (req, res) => {
            setTransportSecurityHeaders(req, res);
            listener(req, res);
          })) as unknown as typeof createHttpsServer,
        serverOptions: {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca ? { ca: tls.ca } : {}),
          requestCert: mtls,
          rejectUnauthorized: mtls,
          minVersion: 'TLSv1.2',
          ciphers: TLS12_CIPHERS,
          honorCipherOrder: true,
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
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, opts.port, opts.host)));
  });
}
