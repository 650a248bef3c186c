import { z } from '@hono/zod-openapi';
import { exactText } from '../../contract/text.ts';
import { orNull } from '../../core/http/openapi.ts';
import { Password, Username } from '../users/schemas.ts';

/**
 * An Omni organization (Empresa) as the seed's "Configuração na Organização" describes it: the dialer parameters
 * (*Chave do discador*, *Servidor do discador*, *Servidor WebRTC*, the dialer's X.509 certificate) and the
 * auto-tabulation settings. The dialer key is write-only: reads say `hasDialerKey`.
 */

/** Every dialer attendance, report and setting belongs to media *Discador*. */
export const MEDIA = 'dialer' as const;

export const OrganizationId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'an organization id is 2 to 63 lowercase letters, digits and dashes')
  .openapi({ example: 'acme' });

export const OrganizationName = exactText('the organization name', 120).openapi({ example: 'ACME Cobranças' });

/** *Chave do discador*: given by the dialer team. A key is one token: no spaces or control characters anywhere. */
export const DialerKey = z
  .string()
  .min(8, 'a dialer key has at least 8 characters')
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'a dialer key is printable ASCII without spaces; copy it again from the dialer team')
  .openapi({ example: 'dsk_0123456789abcdef', description: 'write-only' });

/** *Servidor do discador*: the dialer's HTTPS API. */
export const DialerUrl = z
  .url({ protocol: /^https$/, error: 'the dialer server (Servidor do discador) must be an https:// URL' })
  .max(2048)
  .openapi({ example: 'https://discador.example.com:8443/api/v1' });

/** *Servidor WebRTC*: where agents' softphones register (SIP over secure WebSocket). */
export const WebrtcUrl = z
  .url({ protocol: /^(wss|https)$/, error: 'the WebRTC server (Servidor WebRTC) must be a wss:// or https:// URL' })
  .max(2048)
  .openapi({ example: 'wss://discador.example.com:8443/ws' });

/** A tag's code, as the dialer receives it in the disposition; stored exactly as given. */
export const TagCode = exactText('the tag code', 64).openapi({ example: 'VENDA' });

/** The auto-tabulation window, in seconds: 5 s to one hour, 30 s unless support sets another value. */
export const WindowSeconds = z
  .number()
  .int('the tabulation window is a whole number of seconds')
  .min(5, 'the tabulation window is at least 5 seconds')
  .max(3600, 'the tabulation window is at most 3600 seconds (one hour)');

const IsoTime = z.string().openapi({ example: '2025-01-01T12:00:00.000Z' });

// --- tabulation ---

const tabulationFields = {
  autoTabulation: z.boolean().openapi({ description: 'finalize automatically when the window ends', default: true }),
  windowSeconds: WindowSeconds.openapi({ description: 'seconds after the call ends', default: 30, example: 30 }),
  autoTagCode: TagCode.nullable().openapi({ description: 'the tag an automatic finalization uses', default: null }),
};

export const Tabulation = z.object(tabulationFields).openapi('OmniTabulation');
export type Tabulation = z.infer<typeof Tabulation>;

/** Fields left out keep their value. */
export const TabulationUpdate = Tabulation.partial().openapi('OmniTabulationUpdate');
export type TabulationUpdate = z.infer<typeof TabulationUpdate>;

export const DEFAULT_TABULATION: Tabulation = { autoTabulation: true, windowSeconds: 30, autoTagCode: null };

// --- certificate ---

/** One certificate of the uploaded file. */
export const CertificateChainLink = z
  .object({
    subject: z.string().openapi({ example: 'CN=discador-ds.local, O=ds-harness' }),
    issuer: z.string().openapi({ example: 'CN=ds-harness Discador DS CA, O=ds-harness' }),
    subjectAltNames: z.array(z.string()).openapi({ example: ['DNS:localhost', 'IP Address:127.0.0.1'] }),
    validFrom: IsoTime,
    validTo: IsoTime,
    fingerprintSha256: z.string().openapi({ example: 'AB:CD:EF:…' }),
    serialNumber: z.string().openapi({ example: '01A2B3' }),
    isCA: z.boolean(),
  })
  .openapi('OmniCertificateChainLink');
export type CertificateChainLink = z.infer<typeof CertificateChainLink>;

/** The certificate Omni trusts the dialer with (its fields), how, and the file it came in. */
export const CertificateInfo = CertificateChainLink.extend({
  /**
   * 'pinned': the dialer's own certificate (uploaded alone or first of its chain); the dialer must present exactly
   * it. 'ca': a CA certificate uploaded alone; any certificate it issued for the dialer's host is trusted.
   */
  trust: z.enum(['pinned', 'ca']),
  /** Every certificate of the uploaded file in order, the trusted one first. */
  chain: z.array(CertificateChainLink),
  uploadedAt: IsoTime,
}).openapi('OmniCertificateInfo');
export type CertificateInfo = z.infer<typeof CertificateInfo>;

export const CertificateView = CertificateInfo.extend({
  /** Of the trusted certificate, at the time of the read. */
  status: z.enum(['valid', 'expired', 'not_yet_valid']),
}).openapi('OmniCertificate');
export type CertificateView = z.infer<typeof CertificateView>;

export const CertificateUploadJson = z
  .object({
    pem: z
      .string()
      .max(256 * 1024)
      .openapi({
        description: 'the certificate in Base64 (PEM) form; or the dialer’s certificate followed by its issuers',
      }),
    fileName: z.string().max(255).optional(),
  })
  .openapi('OmniCertificateUpload');

// --- organization ---

/** The four parameters the seed marks as mandatory before the integration can work. */
export const RequiredDialerSetting = z.enum(['dialerKey', 'dialerUrl', 'webrtcUrl', 'certificate']);
export type RequiredDialerSetting = z.infer<typeof RequiredDialerSetting>;

export const Organization = z
  .object({
    id: OrganizationId,
    name: z.string(),
    media: z.literal(MEDIA),
    hasDialerKey: z.boolean(),
    dialerUrl: z.string().nullable(),
    webrtcUrl: z.string().nullable(),
    /** null until the dialer's certificate is uploaded (orNull: `.nullable()` of a registered schema loses the null). */
    certificate: orNull(CertificateView),
    tabulation: Tabulation,
    /** What is still missing for the dialer integration to work (empty when complete). */
    missing: z.array(RequiredDialerSetting),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('OmniOrganization');
export type Organization = z.infer<typeof Organization>;

const organizationFields = z.object({
  name: OrganizationName,
  dialerKey: DialerKey.nullable(),
  dialerUrl: DialerUrl.nullable(),
  webrtcUrl: WebrtcUrl.nullable(),
  tabulation: TabulationUpdate,
});

/** Fields left out keep their value; `null` clears one. The certificate has its own route. */
export const OrganizationUpdate = organizationFields.partial().openapi('OmniOrganizationUpdate');
export type OrganizationUpdate = z.infer<typeof OrganizationUpdate>;

/** The first administrator of a new organization. */
export const FirstAdmin = z
  .object({
    username: Username,
    name: exactText('the name', 120).openapi({ example: 'Ana Souza' }),
    password: Password,
  })
  .openapi('OmniFirstAdmin');
export type FirstAdmin = z.infer<typeof FirstAdmin>;

export const OrganizationCreate = organizationFields
  .partial()
  .extend({
    id: OrganizationId.optional().openapi({ description: 'derived from the name when left out' }),
    name: OrganizationName,
    admin: FirstAdmin.optional(),
  })
  .openapi('OmniOrganizationCreate');
export type OrganizationCreate = z.infer<typeof OrganizationCreate>;
