import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { z } from '@hono/zod-openapi';
import { Agent, buildConnector, type Dispatcher, fetch, type Response } from 'undici';
import { AgentLoginResponse, AgentStatus, PauseResponse } from '../../contract/agents.ts';
import { Call, Disposition } from '../../contract/calls.ts';
import { ErrorBody } from '../../contract/errors.ts';
import { Organization, PauseEntry } from '../../contract/organizations.ts';
import { RealClock } from '../../core/clock.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { type CertificateInspection, inspectCertificate } from '../../core/x509.ts';

export type { Response as DialerStreamResponse } from 'undici';

export type DialerClientOptions = {
  /** The "Servidor do discador": `https://host:port`, with or without the `/api/v1` path. */
  baseUrl: string;
  /** The organization's dialer key, sent as `X-Dialer-Key` on every request. */
  dialerKey: string;
  /**
   * The certificate the organization uploaded (PEM). A CA certificate is the only authority trusted (chain and host
   * name checked as usual); any other certificate (the dialer's own server certificate) is pinned: the dialer must
   * present exactly it.
   */
  certificatePem: string;
  /** Per request, connection included (default 10 s). The event stream only bounds the wait for its headers. */
  timeoutMs?: number;
  /** Tries per request for network errors and 5xx answers, when retrying is safe (default 3). */
  attempts?: number;
  /** First wait between tries, doubled each time (default 100 ms; real time, this is the network). */
  backoffMs?: number;
  /** An event stream with no byte for this long is cut (the dialer sends a heartbeat every 15 s; default 60 s). */
  streamIdleTimeoutMs?: number;
  /** Epoch ms for checking a pinned certificate's validity window; the real clock by default. */
  now?: () => number;
};

/** How the uploaded certificate is trusted. */
export type DialerTrust = {
  mode: 'ca' | 'pinned';
  fingerprintSha256: string;
  subject: string;
  validFrom: string;
  validTo: string;
};

type RequestInit = {
  json?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  signal?: AbortSignal;
};

export type DialerResponse<T> = { status: number; headers: IncomingHttpHeaders; body: T };

const DIALER_SETTINGS_HINT =
  'the organization must upload the dialer’s current certificate (the Base64/PEM server certificate of the ' +
  'Discador DS) in the dialer settings';

/** Errors that happen before anything was sent: retrying them is safe for every request. */
const CONNECT_PHASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

const EventIds = z.object({ events: z.array(z.object({ id: z.number().int() }).loose()), lastId: z.number().int() });
const TransferResult = z.object({ call: Call, newCall: Call });

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur; i++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

const errorCode = (e: unknown): string | undefined => {
  for (const c of causeChain(e)) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && !(c instanceof AppError)) return code;
  }
  return undefined;
};

const describeError = (e: unknown): string => {
  const chain = causeChain(e);
  const last = chain.at(-1) as { message?: string; code?: string } | undefined;
  const msg = last?.message ?? String(e);
  return last?.code && !msg.includes(last.code) ? `${last.code}: ${msg}` : msg;
};

/**
 * The Omni side's HTTPS client for one organization's Discador DS. Trusts only the organization's uploaded
 * certificate (see DialerClientOptions.certificatePem), sends the dialer key on every request, retries network
 * errors and 5xx answers when that is safe, and turns every failure into an AppError:
 * - `DIALER_CERTIFICATE_MISMATCH` (502): the dialer presented another certificate (both fingerprints in the message);
 * - `DIALER_CERTIFICATE_EXPIRED` / `DIALER_CERTIFICATE_NOT_YET_VALID` (502): the pinned certificate is out of date;
 * - `DIALER_UNREACHABLE` (503): network failure or timeout;
 * - `DIALER_<code>` with the dialer's status and message for its error answers (`details.dialerCode` keeps the
 *   dialer's own code, `details.dialerStatus` its status, the rest of `details` is the dialer's);
 * - `DIALER_RESPONSE_INVALID` (502): a 2xx answer that does not match the contract.
 */
export class DialerClient {
  readonly trust: DialerTrust;
  readonly origin: string;
  /** The API's path on the dialer's origin (`/api/v1`, after the configured URL's own path). */
  readonly #apiPath: string;
  readonly #dialerKey: string;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #now: () => number;
  readonly #dispatcher: Agent;

  constructor(opts: DialerClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new AppError('DIALER_URL_INVALID', 409, `the dialer server '${opts.baseUrl}' is not a URL`, {
        dialerUrl: opts.baseUrl,
      });
    }
    if (url.protocol !== 'https:')
      throw new AppError(
        'DIALER_URL_INVALID',
        409,
        `the dialer server must be an https:// URL, got '${opts.baseUrl}'`,
        { dialerUrl: opts.baseUrl },
      );
    const path = url.pathname.replace(/\/+$/, '');
    this.origin = url.origin;
    this.#apiPath = path.endsWith('/api/v1') ? path : `${path}/api/v1`;
    this.#dialerKey = opts.dialerKey;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#attempts = Math.max(1, opts.attempts ?? 3);
    this.#backoffMs = opts.backoffMs ?? 100;
    const clock = new RealClock();
    this.#now = opts.now ?? (() => clock.now());

    let cert: CertificateInspection;
    try {
      cert = inspectCertificate(opts.certificatePem);
    } catch (e) {
      throw new AppError(
        'DIALER_CERTIFICATE_INVALID',
        409,
        `the organization's dialer certificate cannot be used: ${e instanceof Error ? e.message : String(e)}`,
        { certificateError: isAppError(e) ? e.code : undefined },
      );
    }
    this.trust = {
      mode: cert.isCA ? 'ca' : 'pinned',
      fingerprintSha256: cert.fingerprintSha256,
      subject: cert.subject,
      validFrom: cert.validFrom,
      validTo: cert.validTo,
    };

    // The peer is checked here, after the handshake and before undici writes a byte (so the dialer key never goes
    // to a server we do not trust): OpenSSL's verdict (`rejectUnauthorized: false` only defers it to us) for a CA,
    // the exact certificate for a pin. TLS sessions are not cached, so every connection is a full, checked handshake.
    const connector = buildConnector({
      ca: cert.pem,
      rejectUnauthorized: false,
      timeout: this.#timeoutMs,
      maxCachedSessions: 0,
    });
    this.#dispatcher = new Agent({
      connect: (options, callback) =>
        connector(options, (err, socket) => {
          if (err || !socket) return callback(err ?? new Error('no socket'), null);
          const problem = this.#checkPeer(socket, options.hostname);
          if (problem) {
            socket.destroy();
            return callback(problem, null);
          }
          callback(null, socket);
        }),
      headersTimeout: this.#timeoutMs,
      bodyTimeout: opts.streamIdleTimeoutMs ?? 60_000,
      // Idle connections stay open as long as the dialer allows (its Keep-Alive hint, else a minute): every new
      // connection is a full, checked TLS handshake, which a burst after a quiet spell should not pay.
      keepAliveTimeout: 60_000,
    });
  }

  #checkPeer(socket: Socket | TLSSocket, host: string): AppError | undefined {
    const tls = socket as TLSSocket;
    const peer: X509Certificate | undefined =
      typeof tls.getPeerX509Certificate === 'function' ? tls.getPeerX509Certificate() : undefined;
    const expected = this.trust.fingerprintSha256;
    const base = { host, mode: this.trust.mode, expectedFingerprint: expected };
    if (!peer)
      return new AppError(
        'DIALER_CERTIFICATE_MISMATCH',
        502,
        `the dialer at ${host} presented no certificate; expected SHA-256 ${expected}; ${DIALER_SETTINGS_HINT}`,
        base,
      );
    const presented = {
      presentedFingerprint: peer.fingerprint256,
      presentedSubject: peer.subject.split('\n').join(', '),
      presentedIssuer: peer.issuer.split('\n').join(', '),
      presentedValidFrom: new Date(peer.validFrom).toISOString(),
      presentedValidTo: new Date(peer.validTo).toISOString(),
    };
    /** Out of its validity window: for a pin by our clock, for a CA by OpenSSL's verdict. */
    const window = (verdict: string | undefined) => {
      const now = this.#now();
      const expired = verdict ? verdict === 'CERT_HAS_EXPIRED' : now > Date.parse(peer.validTo);
      const early = verdict ? verdict === 'CERT_NOT_YET_VALID' : now < Date.parse(peer.validFrom);
      if (expired)
        return new AppError(
          'DIALER_CERTIFICATE_EXPIRED',
          502,
          `the dialer at ${host} presented a certificate (SHA-256 ${peer.fingerprint256}) that expired on ` +
            `${presented.presentedValidTo}; the dialer must renew it and ${DIALER_SETTINGS_HINT}`,
          { ...base, ...presented },
        );
      if (early)
        return new AppError(
          'DIALER_CERTIFICATE_NOT_YET_VALID',
          502,
          `the dialer at ${host} presented a certificate (SHA-256 ${peer.fingerprint256}) that is not valid before ` +
            `${presented.presentedValidFrom}; check the clocks, or ${DIALER_SETTINGS_HINT}`,
          { ...base, ...presented },
        );
      return undefined;
    };

    if (this.trust.mode === 'pinned') {
      if (peer.fingerprint256 !== expected)
        return new AppError(
          'DIALER_CERTIFICATE_MISMATCH',
          502,
          `the dialer at ${host} presented a certificate with SHA-256 fingerprint ${peer.fingerprint256} ` +
            `(${presented.presentedSubject}), but the uploaded dialer certificate has ${expected} ` +
            `(${this.trust.subject}); ${DIALER_SETTINGS_HINT}`,
          { ...base, ...presented },
        );
      return window(undefined);
    }
    if (tls.authorized) return undefined;
    const reason = String(tls.authorizationError ?? 'not trusted');
    return (
      window(reason) ??
      new AppError(
        'DIALER_CERTIFICATE_MISMATCH',
        502,
        `the dialer at ${host} presented a certificate with SHA-256 fingerprint ${peer.fingerprint256} ` +
          `(${presented.presentedSubject}, issued by ${presented.presentedIssuer}) that the uploaded CA certificate ` +
          `(SHA-256 ${expected}, ${this.trust.subject}) does not validate (${reason}); ${DIALER_SETTINGS_HINT}`,
        { ...base, ...presented, reason },
      )
    );
  }

  /** The URL of an API path (relative to /api/v1). */
  url(path: string): string {
    return `${this.origin}${this.#apiPath}${path}`;
  }

  /**
   * Sends a request and parses a 2xx answer with `schema`. Retries (backoff doubling from `backoffMs`, real time)
   * network errors and 5xx answers, for idempotent methods and requests carrying an Idempotency-Key; connection
   * failures before anything was sent are retried for every request.
   */
  async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    init: RequestInit = {},
  ): Promise<DialerResponse<z.infer<S>>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...init.headers,
      'x-dialer-key': this.#dialerKey,
    };
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const safe = IDEMPOTENT_METHODS.has(method.toUpperCase()) || Boolean(init.idempotencyKey);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.#attempts;
      let res: Dispatcher.ResponseData;
      let text: string;
      try {
        const timeout = AbortSignal.timeout(this.#timeoutMs);
        // undici's own request API, not fetch: no WHATWG Request, Response or stream objects per call, a fraction of
        // the CPU (this runs for every command the outbox sends).
        res = await this.#dispatcher.request({
          origin: this.origin,
          path: `${this.#apiPath}${path}`,
          method: method as Dispatcher.HttpMethod,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
        });
        text = await res.body.text();
      } catch (e) {
        if (init.signal?.aborted) throw e;
        const err = this.#networkError(e, method, path, attempt);
        if (err.code === 'DIALER_UNREACHABLE' && !last && (safe || CONNECT_PHASE_CODES.has(errorCode(e) ?? ''))) {
          await this.#backoff(attempt, init.signal);
          continue;
        }
        throw err;
      }
      if (res.statusCode >= 500 && safe && !last) {
        await this.#backoff(attempt, init.signal);
        continue;
      }
      if (res.statusCode >= 400) throw this.#dialerError(res.statusCode, text, method, path);
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = text;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new AppError(
          'DIALER_RESPONSE_INVALID',
          502,
          `the dialer answered ${method} ${path} with HTTP ${res.statusCode} but a body that does not match the contract: ` +
            z.prettifyError(parsed.error),
          { httpStatus: res.statusCode, method, path },
        );
      return { status: res.statusCode, headers: res.headers, body: parsed.data };
    }
  }

  async #backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    // Real time: this is the network, not the domain (the virtual clock does not move while a test awaits).
    await sleep(this.#backoffMs * 2 ** (attempt - 1), undefined, signal ? { signal } : {});
  }

  #networkError(e: unknown, method: string, path: string, attempts: number): AppError {
    for (const c of causeChain(e)) if (isAppError(c)) return c;
    const timedOut = causeChain(e).some(
      (c) =>
        (c as { name?: string }).name === 'TimeoutError' ||
        ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes((c as { code?: string }).code ?? ''),
    );
    const reason = timedOut ? `no answer within ${this.#timeoutMs} ms` : describeError(e);
    return new AppError(
      'DIALER_UNREACHABLE',
      503,
      `the dialer at ${this.origin} could not be reached (${method} ${path}: ${reason}, ${attempts} attempt(s)); ` +
        'check the dialer server setting and that the dialer is running',
      { origin: this.origin, method, path, cause: errorCode(e) ?? (timedOut ? 'TIMEOUT' : undefined), attempts },
    );
  }

  #dialerError(status: number, text: string, method: string, path: string): AppError {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = ErrorBody.safeParse(json);
    if (!parsed.success)
      return new AppError(
        `DIALER_HTTP_${status}`,
        status,
        `the dialer answered ${method} ${path} with HTTP ${status}: ${text.slice(0, 200) || '(no body)'}`,
        { dialerStatus: status, method, path },
      );
    const { code, message, details } = parsed.data.error;
    return new AppError(code.startsWith('DIALER_') ? code : `DIALER_${code}`, status, message, {
      ...details,
      dialerCode: code,
      dialerStatus: status,
    });
  }

  // --- the dialer's API, typed ---

  async organization(): Promise<Organization> {
    return (await this.request('GET', '/organization', Organization)).body;
  }

  async pauseCatalogue(): Promise<PauseEntry[]> {
    return (await this.request('GET', '/pauses', z.array(PauseEntry))).body;
  }

  /** Logs an agent in with the dialer user and password; wrong credentials → `DIALER_LOGIN_FAILED` (401). */
  async login(dialerUser: string, password: string): Promise<z.infer<typeof AgentLoginResponse>> {
    try {
      return (await this.request('POST', '/agents/login', AgentLoginResponse, { json: { dialerUser, password } })).body;
    } catch (e) {
      if (isAppError(e) && e.status === 401 && e.details?.dialerCode === 'AGENT_CREDENTIALS_INVALID')
        throw new AppError('DIALER_LOGIN_FAILED', 401, e.message, { ...e.details, dialerUser });
      throw e;
    }
  }

  async logout(dialerUser: string): Promise<AgentStatus> {
    return (await this.request('POST', `/agents/${enc(dialerUser)}/logout`, AgentStatus)).body;
  }

  async status(dialerUser: string): Promise<AgentStatus> {
    return (await this.request('GET', `/agents/${enc(dialerUser)}/status`, AgentStatus)).body;
  }

  async available(dialerUser: string): Promise<AgentStatus> {
    return (await this.request('POST', `/agents/${enc(dialerUser)}/available`, AgentStatus)).body;
  }

  /** `deferred` is true when the dialer keeps the pause for the disposition (the agent is on a call or in wrap-up). */
  async pause(dialerUser: string, idStatus: number): Promise<z.infer<typeof PauseResponse>> {
    return (await this.request('POST', `/agents/${enc(dialerUser)}/pause`, PauseResponse, { json: { idStatus } })).body;
  }

  async unpause(dialerUser: string): Promise<AgentStatus> {
    return (await this.request('POST', `/agents/${enc(dialerUser)}/unpause`, AgentStatus)).body;
  }

  async hangup(callId: string, by: 'agent' | 'supervisor' = 'agent'): Promise<Call> {
    return (await this.request('POST', `/calls/${enc(callId)}/hangup`, Call, { json: { by } })).body;
  }

  /**
   * The call's one disposition. The same `idempotencyKey` on every retry: the dialer records it once and replays
   * its first answer (`replayed`).
   */
  async disposition(
    callId: string,
    req: { tagCode: string; notes: string; dialerUser?: string },
    idempotencyKey: string,
  ): Promise<{ disposition: Disposition; replayed: boolean }> {
    const json = { tagCode: req.tagCode, notes: req.notes, ...(req.dialerUser ? { dialerUser: req.dialerUser } : {}) };
    const res = await this.request('POST', `/calls/${enc(callId)}/disposition`, Disposition, { json, idempotencyKey });
    return { disposition: res.body, replayed: res.headers['idempotent-replayed'] === 'true' };
  }

  /** Offers a call an AGV handed back (queued) to an agent. */
  async assign(callId: string, dialerUser: string): Promise<Call> {
    return (await this.request('POST', `/calls/${enc(callId)}/assign`, Call, { json: { dialerUser } })).body;
  }

  async transfer(callId: string, extension: string): Promise<{ call: Call; newCall: Call }> {
    return (await this.request('POST', `/calls/${enc(callId)}/transfer`, TransferResult, { json: { extension } })).body;
  }

  async getCall(callId: string): Promise<Call> {
    return (await this.request('GET', `/calls/${enc(callId)}`, Call)).body;
  }

  /** Ids of the events after `afterId` (at most `limit`), without validating the events themselves. */
  async eventIdsAfter(afterId: number, limit = 100): Promise<number[]> {
    const res = await this.request('GET', `/events?after=${afterId}&limit=${limit}`, EventIds);
    return res.body.events.map((e) => e.id);
  }

  /**
   * Opens the Server-Sent Events stream after `afterId` (sent as Last-Event-ID). Resolves with the streaming
   * Response once the dialer answered 200; the caller reads `body` until it ends or `signal` aborts.
   */
  async openEventStream(afterId: number, signal?: AbortSignal): Promise<Response> {
    const path = '/events/stream';
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        headers: { accept: 'text/event-stream', 'x-dialer-key': this.#dialerKey, 'last-event-id': String(afterId) },
        dispatcher: this.#dispatcher,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw this.#networkError(e, 'GET', path, 1);
    }
    if (res.status !== 200) throw this.#dialerError(res.status, await res.text(), 'GET', path);
    return res;
  }

  /** Closes the connections, cutting requests and event streams still under way. */
  close(): Promise<void> {
    return this.#dispatcher.destroy();
  }
}

const enc = encodeURIComponent;
