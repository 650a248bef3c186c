import { Agent, fetch } from 'undici';

export type HttpsClientOptions = {
  baseUrl: string;
  /** The only certificate authority (or self-signed certificate) trusted: the system store is not used. */
  ca: string | Buffer;
  /** Client certificate for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  headers?: Record<string, string>;
  timeoutMs?: number;
};

export type HttpsResponse<T = unknown> = { status: number; headers: Headers; body: T; text: string };

/**
 * A small HTTPS JSON client that trusts exactly the given CA. Used by tests against the simulator and by the Omni side
 * against the dialer (which must trust only the organization's uploaded certificate).
 */
export class HttpsClient {
  readonly dispatcher: Agent;
  readonly #opts: HttpsClientOptions;

  constructor(opts: HttpsClientOptions) {
    this.#opts = opts;
    this.dispatcher = new Agent({
      connect: {
        ca: opts.ca,
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
      },
      headersTimeout: opts.timeoutMs ?? 10_000,
      bodyTimeout: 0,
    });
  }

  url(path: string): string {
    return new URL(path, this.#opts.baseUrl).toString();
  }

  /** Sends a request; `json` is serialised as the body. Resolves for every HTTP status (the caller checks it). */
  async request<T = unknown>(
    method: string,
    path: string,
    init: { json?: unknown; body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<HttpsResponse<T>> {
    const headers: Record<string, string> = { ...this.#opts.headers, ...init.headers };
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.url(path), {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: this.dispatcher,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('json');
    return {
      status: res.status,
      headers: res.headers as unknown as Headers,
      body: (isJson && text ? JSON.parse(text) : text) as T,
      text,
    };
  }

  /** Opens a streaming GET (for Server-Sent Events); the caller reads `body`. */
  async stream(path: string, headers: Record<string, string> = {}, signal?: AbortSignal) {
    return fetch(this.url(path), {
      headers: { ...this.#opts.headers, accept: 'text/event-stream', ...headers },
      dispatcher: this.dispatcher,
      ...(signal ? { signal } : {}),
    });
  }

  /** Closes the connections, cutting requests still under way (event streams never end by themselves). */
  close(): Promise<void> {
    return this.dispatcher.destroy();
  }
}
