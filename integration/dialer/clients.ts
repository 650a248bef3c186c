import { AppError } from '../../core/errors.ts';
import { DialerClient, type DialerClientOptions } from './client.ts';

/** An organization's dialer settings as configured in Omni (the key already unsealed). */
export type DialerSettings = {
  dialerUrl?: string | null;
  dialerKey?: string | null;
  certificatePem?: string | null;
};

export type DialerSettingsGetter = (orgId: string) => DialerSettings | undefined;

/** Client options shared by every organization (timeouts, retries). */
export type DialerClientDefaults = Omit<DialerClientOptions, 'baseUrl' | 'dialerKey' | 'certificatePem'>;

const SETTING_LABELS = [
  ['dialerKey', 'Chave do discador'],
  ['dialerUrl', 'Servidor do discador'],
  ['certificatePem', 'certificado'],
] as const;

/**
 * One DialerClient per organization, built from its settings on first use and kept until `invalidate(orgId)` (call
 * it whenever the organization's dialer settings change: the old client's connections and event streams are cut,
 * so their users reconnect with the new settings).
 */
export class DialerClients {
  readonly #clients = new Map<string, DialerClient>();

  constructor(
    private readonly settings: DialerSettingsGetter,
    private readonly defaults: DialerClientDefaults = {},
  ) {}

  /**
   * The organization's client. Throws `DIALER_NOT_CONFIGURED` (409) naming the missing settings, or the client's
   * own errors for an unusable URL or certificate (`DIALER_URL_INVALID`, `DIALER_CERTIFICATE_INVALID`).
   */
  get(orgId: string): DialerClient {
    const cached = this.#clients.get(orgId);
    if (cached) return cached;
    const s = this.settings(orgId);
    const missing = SETTING_LABELS.filter(([field]) => !s?.[field]?.trim());
    if (!s || missing.length > 0) {
      const labels = (s ? missing : SETTING_LABELS).map(([, label]) => label);
      throw new AppError(
        'DIALER_NOT_CONFIGURED',
        409,
        `the organization's dialer is not configured: fill in ${labels.join(', ')} in the dialer settings`,
        { orgId, missing: (s ? missing : SETTING_LABELS).map(([field]) => field) },
      );
    }
    const client = new DialerClient({
      ...this.defaults,
      baseUrl: s.dialerUrl!,
      dialerKey: s.dialerKey!,
      certificatePem: s.certificatePem!,
    });
    this.#clients.set(orgId, client);
    return client;
  }

  /** Whether a client is cached for the organization. */
  has(orgId: string): boolean {
    return this.#clients.has(orgId);
  }

  /** Forgets (and closes) the organization's client; the next `get` builds one from the current settings. */
  async invalidate(orgId: string): Promise<void> {
    const client = this.#clients.get(orgId);
    this.#clients.delete(orgId);
    await client?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
