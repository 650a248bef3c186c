import { z } from '@hono/zod-openapi';
import { DialerUser } from '../../contract/organizations.ts';
import { AppError } from '../../core/errors.ts';

/**
 * The Omni configuration for the Discador DS (the seed's "Configuração na Organização / no Usuário / do Serviço com
 * AGV / Cadastro de Pausas", plus tags and auto-tabulation). Every type here is inferred from its schema.
 *
 * Read models never carry a secret: the dialer key, Omni passwords and dialer passwords are write-only and show up
 * only as `hasDialerKey` / `hasPassword` / `hasDialerPassword`.
 */

/** Every dialer attendance, report and setting belongs to media *Discador*. */
export const MEDIA = 'dialer' as const;

// --- building blocks ---

export const OrganizationId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'an organization id is 2 to 63 lowercase letters, digits and dashes')
  .openapi({ example: 'acme' });

const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** *Chave do discador*: given by the dialer team. */
export const DialerKey = z
  .string()
  .trim()
  .min(8, 'a dialer key has at least 8 characters')
  .max(512)
  .openapi({ example: 'dsk_…', description: 'write-only' });

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

export const TagCode = z.string().trim().min(1, 'must not be empty').max(64).openapi({ example: 'VENDA' });

/** The auto-tabulation window, in seconds: 5 s to one hour, 30 s unless support sets another value. */
export const WindowSeconds = z
  .number()
  .int('the tabulation window is a whole number of seconds')
  .min(5, 'the tabulation window is at least 5 seconds')
  .max(3600, 'the tabulation window is at most 3600 seconds (one hour)');

export const Role = z.enum(['agent', 'supervisor', 'admin']).openapi({ example: 'agent' });
export type Role = z.infer<typeof Role>;

export const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a username is 1 to 64 letters, digits, dot, dash, underscore or @')
  .openapi({ example: 'ana.souza' });

/** The Omni login password (write-only). */
export const Password = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(200)
  .openapi({ description: 'write-only' });

/** *Senha do Discador*: must equal the dialer's records (write-only). */
export const DialerPassword = z
  .string()
  .min(4, 'a dialer password has at least 4 characters')
  .max(128)
  .openapi({ description: 'write-only' });

/** Simultaneous attendances of media Discador. */
export const Slots = z.number().int('slots is a whole number').min(1, 'slots is at least 1').max(100);

/** A service's identifier; for an AGV service, the AGV's extension (ramal). */
export const ServiceIdentifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'an identifier is 1 to 64 letters, digits, dot, dash or underscore')
  .openapi({ example: '7001' });

export const PauseName = Text(60).openapi({ example: 'Almoço' });
export const IdStatus = z.number().int('ID Status is a whole number').min(0).max(9999).openapi({ example: 2 });

const EntityId = z.string().min(1).max(100);
const IsoTime = z.string().openapi({ example: '2025-01-01T12:00:00.000Z' });

// --- tabulation ---

const tabulationFields = {
  autoTabulation: z.boolean().openapi({ description: 'finalize automatically when the window ends', default: true }),
  windowSeconds: WindowSeconds.openapi({ description: 'seconds after the call ends', default: 30 }),
  autoTagCode: TagCode.nullable().openapi({ description: 'the tag an automatic finalization uses', default: null }),
};

export const Tabulation = z.object(tabulationFields).openapi('OmniTabulation');
export type Tabulation = z.infer<typeof Tabulation>;

/** Fields left out keep their value. */
export const TabulationUpdate = Tabulation.partial().openapi('OmniTabulationUpdate');
export type TabulationUpdate = z.infer<typeof TabulationUpdate>;

export const DEFAULT_TABULATION: Tabulation = { autoTabulation: true, windowSeconds: 30, autoTagCode: null };

// --- organization ---

export const CertificateInfo = z
  .object({
    subject: z.string(),
    issuer: z.string(),
    subjectAltNames: z.array(z.string()),
    validFrom: IsoTime,
    validTo: IsoTime,
    fingerprintSha256: z.string(),
    serialNumber: z.string(),
    isCA: z.boolean(),
    uploadedAt: IsoTime,
  })
  .openapi('OmniCertificateInfo');
export type CertificateInfo = z.infer<typeof CertificateInfo>;

export const CertificateView = CertificateInfo.extend({
  /** At the time of the read. */
  status: z.enum(['valid', 'expired', 'not_yet_valid']),
}).openapi('OmniCertificate');
export type CertificateView = z.infer<typeof CertificateView>;

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
    certificate: CertificateView.nullable(),
    tabulation: Tabulation,
    /** What is still missing for the dialer integration to work (empty when complete). */
    missing: z.array(RequiredDialerSetting),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('OmniOrganization');
export type Organization = z.infer<typeof Organization>;

const organizationFields = z.object({
  name: Text(120).openapi({ example: 'ACME Cobranças' }),
  dialerKey: DialerKey.nullable(),
  dialerUrl: DialerUrl.nullable(),
  webrtcUrl: WebrtcUrl.nullable(),
  tabulation: TabulationUpdate,
});

/** Fields left out keep their value; `null` clears one. The certificate has its own route. */
export const OrganizationUpdate = organizationFields.partial().openapi('OmniOrganizationUpdate');
export type OrganizationUpdate = z.infer<typeof OrganizationUpdate>;

/** The first administrator of a new organization (the creator, an admin of another organization, cannot act in it). */
export const FirstAdmin = z
  .object({ username: Username, name: Text(120), password: Password })
  .openapi('OmniFirstAdmin');

export const OrganizationCreate = organizationFields
  .partial()
  .extend({
    id: OrganizationId.optional().openapi({ description: 'derived from the name when left out' }),
    name: organizationFields.shape.name,
    admin: FirstAdmin.optional(),
  })
  .openapi('OmniOrganizationCreate');
export type OrganizationCreate = z.infer<typeof OrganizationCreate>;

export const CertificateUploadJson = z
  .object({
    pem: z
      .string()
      .max(256 * 1024)
      .openapi({ description: 'the certificate in Base64 (PEM) form' }),
    fileName: z.string().max(255).optional(),
  })
  .openapi('OmniCertificateUpload');

// --- users ---

export const User = z
  .object({
    id: EntityId,
    orgId: OrganizationId,
    username: z.string(),
    name: z.string(),
    role: Role,
    /** False for a user imported without a password: they cannot log in until one is set. */
    hasPassword: z.boolean(),
    useDialer: z.boolean(),
    dialerUser: z.string().nullable(),
    hasDialerPassword: z.boolean(),
    slots: z.number().int(),
    serviceIds: z.array(EntityId),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('OmniUser');
export type User = z.infer<typeof User>;

const userFields = z.object({
  username: Username,
  name: Text(120).openapi({ example: 'Ana Souza' }),
  role: Role,
  password: Password,
  useDialer: z.boolean().openapi({ description: 'Utilizar discador' }),
  dialerUser: DialerUser.nullable().openapi({ description: 'Usuário do Discador' }),
  dialerPassword: DialerPassword.nullable().openapi({ description: 'Senha do Discador (write-only)' }),
  slots: Slots,
  serviceIds: z.array(EntityId).max(500),
});

const needsDialerUser = (u: { useDialer?: boolean; dialerUser?: string | null }) => !u.useDialer || !!u.dialerUser;

/** A user as an import may create them: secrets may be missing (the user then cannot log in / into the dialer). */
export const UserCreateRelaxed = userFields
  .extend({
    password: Password.optional(),
    useDialer: userFields.shape.useDialer.default(false),
    dialerUser: userFields.shape.dialerUser.optional(),
    dialerPassword: userFields.shape.dialerPassword.optional(),
    slots: Slots.default(1),
    serviceIds: userFields.shape.serviceIds.default([]),
  })
  .refine(needsDialerUser, {
    path: ['dialerUser'],
    message: 'a user with "Utilizar discador" needs the dialer user (Usuário do Discador)',
  });
export type UserCreateRelaxed = z.infer<typeof UserCreateRelaxed>;

export const UserCreate = UserCreateRelaxed.safeExtend({ password: Password })
  .refine((u) => !u.useDialer || !!u.dialerPassword, {
    path: ['dialerPassword'],
    message: 'a user with "Utilizar discador" needs the dialer password (Senha do Discador)',
  })
  .openapi('OmniUserCreate');
export type UserCreate = z.infer<typeof UserCreate>;

/** Fields left out keep their value; `null` clears the dialer user or password. */
export const UserUpdate = userFields.partial().openapi('OmniUserUpdate');
export type UserUpdate = z.infer<typeof UserUpdate>;

// --- services, pauses, tags ---

export const Service = z
  .object({ id: EntityId, orgId: OrganizationId, name: z.string(), identifier: z.string() })
  .openapi('OmniService');
export type Service = z.infer<typeof Service>;

export const ServiceInput = z
  .object({ name: Text(120).openapi({ example: 'URA Cobrança' }), identifier: ServiceIdentifier })
  .openapi('OmniServiceInput');
export type ServiceInput = z.infer<typeof ServiceInput>;
export const ServiceUpdate = ServiceInput.partial().openapi('OmniServiceUpdate');
export type ServiceUpdate = z.infer<typeof ServiceUpdate>;

export const Pause = z
  .object({ id: EntityId, orgId: OrganizationId, name: z.string(), idStatus: z.number().int() })
  .openapi('OmniPause');
export type Pause = z.infer<typeof Pause>;

/** The name must be exactly the dialer's; the ID Status the dialer's too. */
export const PauseInput = z.object({ name: PauseName, idStatus: IdStatus }).openapi('OmniPauseInput');
export type PauseInput = z.infer<typeof PauseInput>;
export const PauseUpdate = PauseInput.partial().openapi('OmniPauseUpdate');
export type PauseUpdate = z.infer<typeof PauseUpdate>;

export const Tag = z
  .object({
    id: EntityId,
    orgId: OrganizationId,
    code: z.string(),
    name: z.string(),
    /** The services the tag is offered in; empty: every service. */
    serviceIds: z.array(EntityId),
  })
  .openapi('OmniTag');
export type Tag = z.infer<typeof Tag>;

const tagFields = z.object({
  code: TagCode,
  name: Text(120).openapi({ example: 'Venda realizada' }),
  serviceIds: z.array(EntityId).max(500),
});
export const TagInput = tagFields
  .extend({ serviceIds: tagFields.shape.serviceIds.default([]) })
  .openapi('OmniTagInput');
export type TagInput = z.infer<typeof TagInput>;
export const TagUpdate = tagFields.partial().openapi('OmniTagUpdate');
export type TagUpdate = z.infer<typeof TagUpdate>;

// --- validation outside HTTP ---

type Issue = { path: readonly PropertyKey[]; message: string; code: string };

/** `users[2].dialerUser`: how a path inside a document reads. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** The shared 422 for zod failures, with paths as `prefix.a[1].b`. */
export function invalid(issues: readonly Issue[], prefix = ''): AppError {
  const list = issues.map((i) => ({ path: formatPath(i.path, prefix), message: i.message, code: i.code }));
  const first = list[0];
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  const message = first ? `${first.path || 'input'}: ${first.message}${more}` : 'invalid input';
  return new AppError('VALIDATION_FAILED', 422, message, { issues: list });
}

/** Parses with a schema or throws the shared 422 (for callers that are not routes: bootstrap, import, tests). */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(r.error.issues, prefix);
  return r.data;
}
