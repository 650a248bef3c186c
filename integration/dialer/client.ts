import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { z } from '@hono/zod-openapi';
import { Agent, buildConnector, type Dispatcher, fetch, interceptors, type Response } from 'undici';
import {
  buildRouteRequest,
  type RouteDefinitionLike,
  type RouteInput,
  RouteInputError,
  type RouteResult,
  responseSchema,
  takesIdempotencyKey,
} from '../../contract/dialer/route-call.ts';
import { type DialerRouteId, type DialerRoutes, dialerRoutes } from '../../contract/dialer/routes/index.ts';
import { ErrorBody } from '../../contract/errors.ts';
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

/** Beside a route's own input: the Idempotency-Key (sent only to routes that take one) and a cancel signal. */
export type DialerCallOptions = { idempotencyKey?: string; signal?: AbortSignal };

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

/** Network failures after the request may have reached the dialer: retried only when retrying is safe. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const ALL_5XX = Array.from({ length: 100 }, (_, i) => 500 + i);

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
  /** The connections (the event stream reads through it directly: a stream is never retried by undici). */
  readonly #dispatcher: Agent;
  /** The same connections with undici's retry interceptor, for API calls. */
  readonly #requests: Dispatcher;

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
    // The decision is #retryPolicy's, per request; throwOnError: false hands a last 5xx over as the answer it is.
    this.#requests = this.#dispatcher.compose(
      interceptors.retry({ throwOnError: false, statusCodes: ALL_5XX, maxRetries: this.#attempts }),
    );
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
  #url(path: string): string {
    return `${this.origin}${this.#apiPath}${path}`;
  }

  /**
   * Calls a dialer API route by its id, with the route's own parameters, query and body (checked against the
   * contract before anything is sent), and parses a 2xx answer with the route's schema for that status. Retries
   * (undici's retry interceptor, backoff doubling from `backoffMs`) network errors and 5xx answers when that is safe:
   * for idempotent methods and routes that take an Idempotency-Key (sent when given); a connection that failed before
   * anything was sent is retried for every route.
   */
  async call<Id extends DialerRouteId>(
    id: Id,
    input: RouteInput<DialerRoutes[Id]> & DialerCallOptions,
  ): Promise<DialerResponse<RouteResult<DialerRoutes[Id]>>> {
    const route = dialerRoutes[id] as unknown as RouteDefinitionLike;
    const res = await this.request(id, input);
    const schema = responseSchema(route, res.status);
    const parsed = schema?.safeParse(res.body);
    if (!parsed?.success)
      throw new AppError(
        'DIALER_RESPONSE_INVALID',
        502,
        `the dialer answered ${route.method.toUpperCase()} ${res.path} with HTTP ${res.status} but ` +
          (parsed?.error
            ? `a body that does not match the contract: ${z.prettifyError(parsed.error)}`
            : `a status the contract of ${id} does not document`),
        { httpStatus: res.status, method: route.method.toUpperCase(), path: res.path, route: id },
      );
    return { status: res.status, headers: res.headers, body: parsed.data as RouteResult<DialerRoutes[Id]> };
  }

  /**
   * `call` without reading the answer against the contract: the 2xx body as JSON (or text). For a reader that must
   * tolerate what a newer dialer adds (the event consumer skips events it does not know, one by one).
   */
  async request<Id extends DialerRouteId>(
    id: Id,
    input: RouteInput<DialerRoutes[Id]> & DialerCallOptions,
  ): Promise<DialerResponse<unknown> & { path: string }> {
    const route = dialerRoutes[id] as unknown as RouteDefinitionLike;
    let request: { method: string; path: string; body?: string };
    try {
      request = buildRouteRequest(route, input);
    } catch (e) {
      if (e instanceof RouteInputError)
        throw new AppError('DIALER_REQUEST_INVALID', 422, e.message, { route: id, issues: e.issues });
      throw e;
    }
    const { method, path } = request;
    const headers: Record<string, string> = { accept: 'application/json', 'x-dialer-key': this.#dialerKey };
    const idempotencyKey = takesIdempotencyKey(route) ? input.idempotencyKey : undefined;
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const safe = IDEMPOTENT_METHODS.has(method) || Boolean(idempotencyKey);
    const attempts = { made: 1 };
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      // undici's own request API, not fetch: no WHATWG Request, Response or stream objects per call, a fraction of
      // the CPU (this runs for every command the outbox sends).
      res = await this.#requests.request({
        origin: this.origin,
        path: `${this.#apiPath}${path}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        // undici's own timeouts tick coarsely (about every half second); this bounds the whole call precisely.
        signal: input.signal ? AbortSignal.any([input.signal, this.#deadline()]) : this.#deadline(),
        retryOptions: { retry: this.#retryPolicy(safe, attempts) },
      } as Dispatcher.RequestOptions);
      text = await res.body.text();
    } catch (e) {
      if (input.signal?.aborted) throw e;
      throw this.#networkError(e, method, path, attempts.made);
    }
    if (res.statusCode >= 400) throw this.#dialerError(res.statusCode, text, method, path);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.statusCode, headers: res.headers, body, path };
  }

  /** The whole call's bound: every attempt's timeout and the waits between them. */
  #deadline(): AbortSignal {
    const waits = this.#backoffMs * (2 ** (this.#attempts - 1) - 1);
    return AbortSignal.timeout(this.#timeoutMs * this.#attempts + waits);
  }

  /**
   * When undici's retry interceptor tries again: connection failures before anything was sent always; other network
   * failures and 5xx answers only for a safe request; at most `attempts` tries, waiting `backoffMs · 2^(n-1)` (real
   * time: this is the network, not the domain, and the virtual clock does not move while a test awaits).
   */
  #retryPolicy(safe: boolean, attempts: { made: number }) {
    return (err: Error, _ctx: unknown, callback: (err?: Error | null) => void) => {
      const status = (err as { statusCode?: number }).statusCode;
      const code = errorCode(err) ?? '';
      const retryable =
        status !== undefined
          ? status >= 500 && safe
          : CONNECT_PHASE_CODES.has(code) || (safe && RETRYABLE_NETWORK_CODES.has(code));
      if (!retryable || attempts.made >= this.#attempts) return callback(err);
      const wait = this.#backoffMs * 2 ** (attempts.made - 1);
      attempts.made++;
      setTimeout(() => callback(null), wait);
    };
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

  /**
   * Opens the Server-Sent Events stream after `afterId` (sent as Last-Event-ID). Resolves with the streaming
   * Response once the dialer answered 200; the caller reads `body` until it ends or `signal` aborts.
   */
  async openEventStream(afterId: number, signal?: AbortSignal): Promise<Response> {
    const path = '/events/stream';
    let res: Response;
    try {
      res = await fetch(this.#url(path), {
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
