import { z } from '@hono/zod-openapi';
import { Document, parse as parseYaml, type ScalarTag, YAMLParseError } from 'yaml';
import { DialerUser } from '../../contract/organizations.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { inspectCertificate } from '../../core/x509.ts';
import { IdStatus, PauseName, ServiceIdentifier, ServiceName, TagName } from '../catalogue/schemas.ts';
import type { Configuration } from '../configuration.ts';
import {
  DialerKey,
  DialerUrl,
  MEDIA,
  OrganizationName,
  type OrganizationUpdate,
  TabulationUpdate,
  TagCode,
  WebrtcUrl,
} from '../organizations/schemas.ts';
import type { PasswordHash } from '../users/repository.ts';
import { DialerPassword, Password, Role, Slots, UserName, Username, type UserUpdate } from '../users/schemas.ts';
import { parseOrThrow } from '../validation/parse.ts';

/**
 * The whole setup of an organization as one document (JSON or YAML): the organization's dialer parameters, services,
 * pauses, tags and users, referring to each other by natural keys (service identifier, pause name, tag code,
 * username) so that it can be imported into another organization. Support uses it to reproduce a customer's setup.
 *
 * Secrets never leave: the dialer key, passwords and dialer passwords export as "***" when set. On import, "***" or a
 * missing secret keeps the current value; a new user without a password is created unable to log in (a warning says
 * so). The certificate is public and travels as PEM.
 */
export const SETUP_FORMAT = 'omni-dialer-setup';
export const REDACTED = '***';

/** YAML gives 7001 for an unquoted ramal; accept whole numbers where text is expected. */
const text = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v), schema);
const redactable = <T extends z.ZodType>(schema: T) => z.union([z.literal(REDACTED), schema]);

const SetupOrganization = z.strictObject({
  /** Where the document was exported from; ignored on import (the target is the organization imported into). */
  id: z.string().optional(),
  name: OrganizationName.optional(),
  media: z.literal(MEDIA).optional(),
  dialerKey: redactable(DialerKey).optional(),
  dialerUrl: DialerUrl.nullable().optional(),
  webrtcUrl: WebrtcUrl.nullable().optional(),
  /** PEM; null removes the certificate. */
  certificate: z
    .string()
    .max(256 * 1024)
    .nullable()
    .optional(),
  tabulation: TabulationUpdate.strict().optional(),
});

const SetupService = z.strictObject({ identifier: text(ServiceIdentifier), name: ServiceName });
const SetupPause = z.strictObject({ name: PauseName, idStatus: IdStatus });
const SetupTag = z.strictObject({
  code: text(TagCode),
  name: TagName,
  /** Service identifiers; empty: every service. */
  services: z.array(text(ServiceIdentifier)).default([]),
});
const SetupUser = z
  .strictObject({
    username: text(Username),
    name: UserName,
    role: Role,
    /** false: deactivated (cannot log in). */
    active: z.boolean().default(true),
    password: redactable(Password).optional(),
    useDialer: z.boolean().default(false),
    dialerUser: text(DialerUser).nullable().optional(),
    dialerPassword: redactable(DialerPassword).optional(),
    slots: Slots.default(1),
    /** Service identifiers. */
    services: z.array(text(ServiceIdentifier)).default([]),
  })
  .refine((u) => !u.useDialer || !!u.dialerUser, {
    path: ['dialerUser'],
    message: 'a user with "Utilizar discador" needs the dialer user (Usuário do Discador)',
  });

/** Refuses two items with the same natural key (checked per list, so it runs even when other lists are invalid). */
const unique =
  <T>(
    list: string,
    checks: Array<{ field: string; label: string; key: (t: T) => string | number | null | undefined }>,
  ) =>
  (items: T[], ctx: z.RefinementCtx) => {
    for (const { field, label, key } of checks) {
      const seen = new Map<string | number, number>();
      items.forEach((item, i) => {
        const k = key(item);
        if (k === null || k === undefined) return;
        const first = seen.get(k);
        if (first === undefined) seen.set(k, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: [i, field],
            message: `${label} ${JSON.stringify(k)} is already used by ${list}[${first}]`,
          });
      });
    }
  };

export const SetupDocument = z
  .strictObject({
    format: z.literal(SETUP_FORMAT).optional(),
    version: z.literal(1).default(1),
    exportedAt: z.string().optional(),
    organization: SetupOrganization.optional(),
    services: z
      .array(SetupService)
      .superRefine(unique('services', [{ field: 'identifier', label: 'identifier', key: (s) => s.identifier }]))
      .default([]),
    pauses: z
      .array(SetupPause)
      .superRefine(
        unique('pauses', [
          { field: 'name', label: 'name', key: (p) => p.name },
          { field: 'idStatus', label: 'ID Status', key: (p) => p.idStatus },
        ]),
      )
      .default([]),
    tags: z
      .array(SetupTag)
      .superRefine(unique('tags', [{ field: 'code', label: 'code', key: (t) => t.code }]))
      .default([]),
    users: z
      .array(SetupUser)
      .superRefine(
        unique('users', [
          { field: 'username', label: 'username', key: (u) => u.username },
          { field: 'dialerUser', label: 'dialer user', key: (u) => u.dialerUser },
        ]),
      )
      .default([]),
  })
  .openapi('OmniSetup');
export type SetupDocument = z.infer<typeof SetupDocument>;
/** The document as written (defaults not applied): what an export produces. */
export type SetupDocumentInput = z.input<typeof SetupDocument>;

export type SetupFormat = 'json' | 'yaml';

// --- export ---

/** The organization's setup without any secret (set secrets appear as "***"). */
export function exportSetup(config: Configuration, orgId: string, now: number): SetupDocumentInput {
  const org = config.organizations.get(orgId);
  const services = config.services.list(orgId);
  const identifier = new Map(services.map((s) => [s.id, s.identifier]));
  const identifiers = (ids: readonly string[]) => ids.map((id) => identifier.get(id)!).sort();
  return {
    format: SETUP_FORMAT,
    version: 1,
    exportedAt: new Date(now).toISOString(),
    organization: {
      id: org.id,
      name: org.name,
      media: MEDIA,
      ...(org.hasDialerKey ? { dialerKey: REDACTED } : {}),
      dialerUrl: org.dialerUrl,
      webrtcUrl: org.webrtcUrl,
      certificate: config.organizations.certificatePem(orgId),
      tabulation: org.tabulation,
    },
    services: services.map((s) => ({ identifier: s.identifier, name: s.name })),
    pauses: config.pauses.list(orgId).map((p) => ({ name: p.name, idStatus: p.idStatus })),
    tags: config.tags.list(orgId).map((t) => ({ code: t.code, name: t.name, services: identifiers(t.serviceIds) })),
    users: config.users.list(orgId).map((u) => ({
      username: u.username,
      name: u.name,
      role: u.role,
      active: u.active,
      ...(u.hasPassword ? { password: REDACTED } : {}),
      useDialer: u.useDialer,
      dialerUser: u.dialerUser,
      ...(u.hasDialerPassword ? { dialerPassword: REDACTED } : {}),
      slots: u.slots,
      services: identifiers(u.serviceIds),
    })),
  };
}

export function renderSetup(doc: SetupDocumentInput, format: SetupFormat): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  const yaml = new Document(doc);
  yaml.commentBefore =
    ` Omni setup for the Discador DS (${SETUP_FORMAT} v1).` +
    `\n Secrets are not exported: "***" keeps the current value on import; write a value to set it.`;
  return yaml.toString({ lineWidth: 0 });
}

// --- parsing ---

/** "0701" stays text (YAML would read it as the number 701 and lose the zero). */
const zeroPadded: ScalarTag = {
  default: true,
  tag: 'tag:yaml.org,2002:str',
  test: /^[-+]?0[0-9]+$/,
  resolve: (s: string) => s,
};

/** Reads a document's text; 400 SETUP_UNREADABLE (with line and column when known) when it is not JSON/YAML. */
export function parseSetupText(body: string, format: SetupFormat): unknown {
  if (body.trim() === '') throw new AppError('SETUP_UNREADABLE', 400, `the ${format.toUpperCase()} document is empty`);
  if (format === 'json') {
    try {
      return JSON.parse(body);
    } catch (e) {
      throw new AppError('SETUP_UNREADABLE', 400, `the document is not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    return parseYaml(body, { customTags: (tags) => [zeroPadded, ...tags], uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      throw new AppError(
        'SETUP_UNREADABLE',
        400,
        `the document is not valid YAML: ${e.message.split('\n')[0]}`,
        at ? { line: at.line, column: at.col } : undefined,
      );
    }
    throw new AppError('SETUP_UNREADABLE', 400, `the document is not valid YAML: ${(e as Error).message}`);
  }
}

// --- import ---

export type EntityImport = { created: string[]; updated: string[]; unchanged: string[] };
export type ImportSummary = {
  dryRun: boolean;
  organization: 'updated' | 'unchanged';
  services: EntityImport;
  pauses: EntityImport;
  tags: EntityImport;
  users: EntityImport;
  /** Things that are allowed but need attention (users without a password…). */
  warnings: string[];
};

/** An error of the repository, said at a place in the document. */
function atPath(e: unknown, path: string): unknown {
  if (!isAppError(e)) return e;
  const details = e.details ?? {};
  if (e.code === 'VALIDATION_FAILED' && Array.isArray(details.issues)) {
    const issues = (details.issues as Array<{ path: string; message: string; code: string }>).map((i) => ({
      ...i,
      path: i.path ? `${path}.${i.path}` : path,
    }));
    return new AppError(e.code, e.status, `${issues[0]?.path ?? path}: ${issues[0]?.message ?? e.message}`, {
      issues,
    });
  }
  return new AppError(e.code, e.status, `${path}: ${e.message}`, { ...details, path });
}

function at<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw atPath(e, path);
  }
}

class DryRun extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run');
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * Imports a setup document into `orgId`: validates it (422 VALIDATION_FAILED naming `users[2].dialerUser` and the
 * like), hashes the passwords it gives (off the event loop), then creates or updates by natural key in one
 * transaction — all or nothing. Nothing is deleted. With `dryRun`, answers the same summary and changes nothing.
 */
export async function importSetup(
  config: Configuration,
  orgId: string,
  input: unknown,
  options: { dryRun?: boolean } = {},
): Promise<ImportSummary> {
  const doc = parseOrThrow(SetupDocument, input);
  const hashes = new Map<string, PasswordHash>();
  for (const u of doc.users)
    if (u.password !== undefined && u.password !== REDACTED)
      hashes.set(u.username, await config.users.hash(u.password));
  const dryRun = options.dryRun ?? false;
  const entity = (): EntityImport => ({ created: [], updated: [], unchanged: [] });
  const summary: ImportSummary = {
    dryRun,
    organization: 'unchanged',
    services: entity(),
    pauses: entity(),
    tags: entity(),
    users: entity(),
    warnings: [],
  };
  try {
    config.transaction(() => {
      apply(config, orgId, doc, hashes, summary);
      if (dryRun) throw new DryRun(summary);
    });
  } catch (e) {
    if (e instanceof DryRun) return e.summary;
    throw e;
  }
  return summary;
}

function apply(
  config: Configuration,
  orgId: string,
  doc: SetupDocument,
  hashes: ReadonlyMap<string, PasswordHash>,
  summary: ImportSummary,
): void {
  const { organizations, services, pauses, tags, users } = config;
  const org = organizations.get(orgId);
  const o = doc.organization;

  if (o) {
    const patch: OrganizationUpdate = {};
    if (o.name !== undefined && o.name !== org.name) patch.name = o.name;
    if (o.dialerKey !== undefined && o.dialerKey !== REDACTED) patch.dialerKey = o.dialerKey;
    if (o.dialerKey === REDACTED && !org.hasDialerKey)
      summary.warnings.push(
        'organization.dialerKey: the document has it redacted and this organization has none; set the dialer key',
      );
    if (o.dialerUrl !== undefined && o.dialerUrl !== org.dialerUrl) patch.dialerUrl = o.dialerUrl;
    if (o.webrtcUrl !== undefined && o.webrtcUrl !== org.webrtcUrl) patch.webrtcUrl = o.webrtcUrl;
    if (Object.keys(patch).length > 0) {
      at('organization', () => organizations.update(orgId, patch));
      summary.organization = 'updated';
    }
    if (o.certificate === null && org.certificate) {
      organizations.removeCertificate(orgId);
      summary.organization = 'updated';
    } else if (typeof o.certificate === 'string') {
      const pem = o.certificate;
      if (canonicalPem(pem) !== organizations.certificatePem(orgId)) {
        at('organization.certificate', () => organizations.uploadCertificate(orgId, pem));
        summary.organization = 'updated';
      }
    }
  }

  // Services, by identifier.
  doc.services.forEach((s, i) => {
    const existing = services.byIdentifier(orgId, s.identifier);
    if (!existing) {
      at(`services[${i}]`, () => services.create(orgId, s));
      summary.services.created.push(s.identifier);
    } else if (existing.name !== s.name) {
      at(`services[${i}]`, () => services.update(orgId, existing.id, { name: s.name }));
      summary.services.updated.push(s.identifier);
    } else summary.services.unchanged.push(s.identifier);
  });
  const serviceIds = (identifiers: readonly string[], path: string) =>
    identifiers.map((identifier, j) => {
      const s = services.byIdentifier(orgId, identifier);
      if (!s)
        throw new AppError(
          'SERVICE_UNKNOWN',
          422,
          `${path}[${j}]: no service with identifier '${identifier}' in the document or the organization`,
          { path: `${path}[${j}]`, identifier },
        );
      return s.id;
    });

  // Pauses, by name; ID Statuses may move between them (swaps included).
  const docNames = new Set(doc.pauses.map((p) => p.name));
  const moves: Array<{ pauseId: string; idStatus: number }> = [];
  const fresh: Array<{ index: number; name: string; idStatus: number }> = [];
  doc.pauses.forEach((p, i) => {
    const holder = pauses.byIdStatus(orgId, p.idStatus);
    if (holder && holder.name !== p.name && !docNames.has(holder.name))
      throw new AppError(
        'PAUSE_DUPLICATE',
        409,
        `pauses[${i}].idStatus: ID Status ${p.idStatus} belongs to the organization's pause '${holder.name}', which the document does not mention`,
        { path: `pauses[${i}].idStatus`, existing: { id: holder.id, name: holder.name, idStatus: holder.idStatus } },
      );
    const existing = pauses.byName(orgId, p.name);
    if (!existing) fresh.push({ index: i, ...p });
    else if (existing.idStatus !== p.idStatus) {
      moves.push({ pauseId: existing.id, idStatus: p.idStatus });
      summary.pauses.updated.push(p.name);
    } else summary.pauses.unchanged.push(p.name);
  });
  at('pauses', () => pauses.reassignIdStatuses(orgId, moves));
  for (const p of fresh) {
    at(`pauses[${p.index}]`, () => pauses.create(orgId, { name: p.name, idStatus: p.idStatus }));
    summary.pauses.created.push(p.name);
  }

  // Tags, by code.
  doc.tags.forEach((t, i) => {
    const ids = serviceIds(t.services, `tags[${i}].services`);
    const existing = tags.byCode(orgId, t.code);
    if (!existing) {
      at(`tags[${i}]`, () => tags.create(orgId, { code: t.code, name: t.name, serviceIds: ids }));
      summary.tags.created.push(t.code);
    } else if (existing.name !== t.name || !sameSet(existing.serviceIds, ids)) {
      at(`tags[${i}]`, () => tags.update(orgId, existing.id, { name: t.name, serviceIds: ids }));
      summary.tags.updated.push(t.code);
    } else summary.tags.unchanged.push(t.code);
  });

  // Users, by username; future admins first, so that handing the admin role over never leaves none.
  const order = doc.users.map((u, i) => ({ u, i })).sort((a, b) => rank(a.u.role) - rank(b.u.role));
  for (const { u, i } of order) {
    const path = `users[${i}]`;
    const ids = serviceIds(u.services, `${path}.services`);
    const passwordHash = hashes.get(u.username);
    const dialerPassword = u.dialerPassword === REDACTED ? undefined : u.dialerPassword;
    const existing = users.byUsername(orgId, u.username);
    let user = existing;
    if (!existing) {
      user = at(path, () =>
        users.insert(
          orgId,
          users.prepareWith(
            { ...u, password: undefined, dialerPassword, serviceIds: ids, dialerUser: u.dialerUser ?? null },
            passwordHash,
            { allowMissingSecrets: true },
          ),
        ),
      );
      summary.users.created.push(u.username);
      if (!user.hasPassword)
        summary.warnings.push(`${path} (${u.username}): created without a password; set one before they can log in`);
    } else {
      const patch: UserUpdate = {};
      if (u.name !== existing.name) patch.name = u.name;
      if (u.role !== existing.role) patch.role = u.role;
      if (u.active !== existing.active) patch.active = u.active;
      if (u.useDialer !== existing.useDialer) patch.useDialer = u.useDialer;
      if (u.dialerUser !== undefined && u.dialerUser !== existing.dialerUser) patch.dialerUser = u.dialerUser;
      if (u.slots !== existing.slots) patch.slots = u.slots;
      if (!sameSet(existing.serviceIds, ids)) patch.serviceIds = ids;
      if (dialerPassword !== undefined) patch.dialerPassword = dialerPassword;
      if (Object.keys(patch).length > 0 || passwordHash) {
        user = at(path, () =>
          users.apply(orgId, existing.id, users.prepareUpdateWith(patch, passwordHash), { allowMissingSecrets: true }),
        );
        summary.users.updated.push(u.username);
      } else summary.users.unchanged.push(u.username);
    }
    if (user?.useDialer && !user.hasDialerPassword)
      summary.warnings.push(
        `${path} (${u.username}): uses the dialer but has no dialer password (Senha do Discador); set it before they log in`,
      );
  }

  // Tabulation last: its tag may come from this document.
  const tab = o?.tabulation;
  if (tab) {
    const current = organizations.tabulation(orgId);
    const changed = (Object.keys(tab) as Array<keyof typeof tab>).some(
      (k) => tab[k] !== undefined && tab[k] !== current[k],
    );
    if (changed) {
      at('organization.tabulation', () => organizations.setTabulation(orgId, tab));
      summary.organization = 'updated';
    }
  }
}

const rank = (role: string) => (role === 'admin' ? 0 : 1);

function canonicalPem(pem: string): string | undefined {
  try {
    return inspectCertificate(pem).pem;
  } catch {
    return undefined;
  }
}
