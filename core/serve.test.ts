import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from './errors.ts';
import { assertCanListen, type Listening, serveHttps } from './serve.ts';

let server: Listening;

beforeAll(async () => {
  // An RSA certificate, as the dialer's is: the ECDHE-RSA suites are the ones a client negotiates with it.
  const cert = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048 });
  server = await serveHttps(() => new Response('ok'), {
    port: 0,
    host: '127.0.0.1',
    tls: { key: cert.private, cert: cert.cert },
  });
});
afterAll(() => server.close());

/** A real handshake with the server; resolves with the negotiated protocol and suite, or the handshake's error. */
function handshake(o: {
  ciphers?: string;
  minVersion?: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}) {
  return new Promise<{ protocol: string | null; cipher: string } | { error: string }>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false, ...o }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('serveHttps TLS', () => {
  it('accepts a TLS 1.2 client offering ECDHE-RSA-AES128-GCM-SHA256', async () => {
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toEqual({
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
    });
  });

  it('refuses a TLS 1.2 client offering only suites without forward secrecy or without AEAD', async () => {
    for (const ciphers of ['AES256-SHA256', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA256']) {
      const result = await handshake({ maxVersion: 'TLSv1.2', ciphers });
      expect(result, ciphers).toHaveProperty('error');
    }
  });

  it('refuses TLS 1.1 and leaves TLS 1.3 as it is', async () => {
    expect(
      await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).toHaveProperty('error');
    expect(await handshake({ minVersion: 'TLSv1.3' })).toMatchObject({
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
    });
  });
});

describe('assertCanListen', () => {
  it('says which port is in use, and lets go of the ports it checked', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const err = await assertCanListen('127.0.0.1', [0, port]).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('PORT_IN_USE');
    expect((err as Error).message).toContain(`port ${port} on 127.0.0.1 is in use`);
    await new Promise<void>((r) => busy.close(() => r()));

    await assertCanListen('127.0.0.1', [port]);
    await assertCanListen('127.0.0.1', [port]); // the check held the port only while it checked
  });

  it('fails when the same port is asked twice (both sides on one port)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await assertCanListen('127.0.0.1', [port, port]).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('PORT_IN_USE');
  });
});
