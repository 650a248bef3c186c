import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { PauseEntry } from '../../contract/organizations.ts';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { ErrorBody } from '../../core/http/error-body.ts';
import { json, jsonBody, Ok } from '../../core/http/openapi.ts';
import { assertOwnOrganization, type IntegrationEnv, integrationRouter, requireRole } from '../http/app.ts';
import { PauseDriftFinding, pauseCatalogueDrift } from './drift.ts';
import type { Config } from './repository.ts';
import {
  CertificateUploadJson,
  CertificateView,
  FirstAdmin,
  Organization,
  OrganizationCreate,
  OrganizationUpdate,
  Pause,
  PauseInput,
  PauseUpdate,
  parseOrThrow,
  Service,
  ServiceInput,
  ServiceUpdate,
  Tabulation,
  TabulationUpdate,
  Tag,
  TagInput,
  TagUpdate,
  User,
  UserCreate,
  UserUpdate,
} from './schemas.ts';
import { exportSetup, importSetup, parseSetupText, renderSetup, SetupDocument, type SetupFormat } from './setup-io.ts';

const err = (description: string) => json(ErrorBody, description);
const E = {
  401: err('not logged in'),
  403: err('FORBIDDEN_ROLE (needs another role) or FORBIDDEN_ORGANIZATION (another organization)'),
  404: err('not found'),
  409: err('conflicts with the current configuration'),
  422: err('invalid input'),
} as const;

/** The session's organization must be the one in the path (403 FORBIDDEN_ORGANIZATION otherwise). */
const ownOrganization: MiddlewareHandler<IntegrationEnv> = async (c, next) => {
  assertOwnOrganization(c.var.session, c.req.param('orgId') ?? '');
  await next();
};
/** Configuration: administrators of the organization. */
const admin = [requireRole('admin'), ownOrganization];
/** Reading what agents need (pauses, tags): everyone of the organization. */
const member = [requireRole('agent', 'supervisor', 'admin'), ownOrganization];

const OrgParams = z.object({ orgId: z.string() });
const UserParams = OrgParams.extend({ userId: z.string() });
const ServiceParams = OrgParams.extend({ serviceId: z.string() });
const PauseParams = OrgParams.extend({ pauseId: z.string() });
const TagParams = OrgParams.extend({ tagId: z.string() });

const CERTIFICATE_MAX_BYTES = 256 * 1024;
const SETUP_MAX_BYTES = 4 * 1024 * 1024;

const OrganizationCreateRequest = OrganizationCreate.extend({ admin: FirstAdmin }).openapi(
  'OmniOrganizationCreateRequest',
);

const ImportSummary = z
  .object({
    dryRun: z.boolean(),
    organization: z.enum(['updated', 'unchanged']),
    services: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) }),
    pauses: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) }),
    tags: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) }),
    users: z.object({ created: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) }),
    warnings: z.array(z.string()),
  })
  .openapi('OmniSetupImportSummary');

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const essence = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

async function readLimited(req: Request, max: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  const tooLarge = () =>
    new AppError('BODY_TOO_LARGE', 413, `the ${what} is larger than ${max} bytes`, { maxBytes: max });
  if (declared > max) throw tooLarge();
  const buf = Buffer.from(await req.arrayBuffer());
  if (buf.length > max) throw tooLarge();
  return buf;
}

export type ConfigRoutesOptions = {
  /**
   * Reads the dialer's pause catalogue for an organization (through the dialer client). When given,
   * `GET /organizations/{orgId}/pauses/drift` compares it with Omni's pauses. It is registered here, before
   * `/pauses/{pauseId}`, which would otherwise take "drift" for a pause id.
   */
  pauseCatalogue?: (orgId: string) => Promise<PauseEntry[]>;
};

const PauseDriftReport = z
  .object({
    orgId: z.string(),
    checkedAt: z.string(),
    inSync: z.boolean(),
    findings: z.array(PauseDriftFinding),
  })
  .openapi('OmniPauseDriftReport');

/**
 * The configuration API of the Omni side (mount it under /api/v1 behind the session middleware): organizations
 * (dialer parameters, certificate, tabulation), users, services, pauses, tags, and the setup export/import.
 * Configuration needs the admin role within one's own organization; pauses and tags are readable by every role.
 */
export function configRoutes(config: Config, clock: Clock, options: ConfigRoutesOptions = {}) {
  const app = integrationRouter();

  // --- organizations ---

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations',
      tags: ['Organizations'],
      summary: 'Creates an organization with its first administrator',
      middleware: [requireRole('admin')],
      request: jsonBody(OrganizationCreateRequest),
      responses: { 201: json(Organization, 'created'), 401: E[401], 403: E[403], 409: E[409], 422: E[422] },
    }),
    (c) => c.json(config.createOrganization(c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations',
      tags: ['Organizations'],
      summary: "The caller's organization (an administrator sees only their own)",
      middleware: [requireRole('admin')],
      responses: { 200: json(z.array(Organization), 'organizations'), 401: E[401], 403: E[403] },
    }),
    (c) => {
      const own = c.var.session.orgId;
      return c.json(config.organizationExists(own) ? [config.getOrganization(own)] : [], 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}',
      tags: ['Organizations'],
      summary: 'The organization: dialer parameters (never the key), certificate, tabulation, what is missing',
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(Organization, 'the organization'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => c.json(config.getOrganization(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{orgId}',
      tags: ['Organizations'],
      summary: 'Changes the dialer parameters (Chave do discador, Servidor do discador, Servidor WebRTC) or name',
      description: 'Fields left out keep their value; null clears one. Changes reach agents at their next login.',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(OrganizationUpdate) },
      responses: { 200: json(Organization, 'updated'), 401: E[401], 403: E[403], 404: E[404], 422: E[422] },
    }),
    (c) => c.json(config.updateOrganization(c.req.valid('param').orgId, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}',
      tags: ['Organizations'],
      summary: 'Deletes the organization with its users, services, pauses, tags and attendances',
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(Ok, 'deleted'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      config.deleteOrganization(c.req.valid('param').orgId);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/organizations/{orgId}/certificate',
      tags: ['Organizations'],
      summary: "Uploads the dialer's X.509 certificate in Base64 (PEM) form (.crt, .cer or .pem)",
      description:
        'Send the file as the body (text/plain, application/x-pem-file, application/x-x509-ca-cert, ' +
        'application/pkix-cert or application/octet-stream), as JSON { pem, fileName? }, or as multipart/form-data ' +
        'with the file in the field "certificate" (or "file"). DER, private keys, cut or damaged files, expired and ' +
        'not-yet-valid certificates are refused with 422 and a message that says what to upload instead.',
      middleware: admin,
      request: {
        params: OrgParams,
        body: {
          required: false,
          content: {
            'application/json': { schema: CertificateUploadJson },
            'text/plain': { schema: z.string() },
            'application/x-pem-file': { schema: z.string() },
            'application/x-x509-ca-cert': { schema: z.string() },
            'application/pkix-cert': { schema: z.string() },
            'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { certificate: { type: 'string', format: 'binary' } },
              },
            },
          },
        },
      },
      responses: {
        200: json(CertificateView, 'stored; subject, issuer, validity and fingerprint'),
        401: E[401],
        403: E[403],
        404: E[404],
        413: err('larger than 256 KiB'),
        415: err('unsupported content type'),
        422: err('not an acceptable certificate (codes CERTIFICATE_*)'),
      },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const type = essence(c.req.header('content-type'));
      if (type === 'application/json') {
        // Validated already by the route (JSON is the only typed body here); read back with its type.
        const body = parseOrThrow(CertificateUploadJson, await c.req.json(), 'body');
        return c.json(config.uploadCertificate(orgId, body.pem, { fileName: body.fileName }), 200);
      }
      if (type === 'multipart/form-data') {
        const form = await c.req.parseBody();
        const file = form.certificate ?? form.file;
        if (!(file instanceof File))
          throw new AppError('VALIDATION_FAILED', 422, 'body.certificate: send the certificate file in this field', {
            issues: [{ path: 'body.certificate', message: 'a file is required', code: 'custom' }],
          });
        if (file.size > CERTIFICATE_MAX_BYTES)
          throw new AppError('BODY_TOO_LARGE', 413, `the certificate is larger than ${CERTIFICATE_MAX_BYTES} bytes`);
        const bytes = Buffer.from(await file.arrayBuffer());
        return c.json(config.uploadCertificate(orgId, bytes, { fileName: file.name || undefined }), 200);
      }
      const bytes = await readLimited(c.req.raw, CERTIFICATE_MAX_BYTES, 'certificate');
      return c.json(config.uploadCertificate(orgId, bytes), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}/certificate',
      tags: ['Organizations'],
      summary: "Removes the dialer's certificate",
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(Ok, 'removed'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      config.removeCertificate(c.req.valid('param').orgId);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/tabulation',
      tags: ['Organizations'],
      summary: 'Auto-tabulation: on/off, window (default 30 s), tag used by automatic finalization',
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(Tabulation, 'the settings'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => c.json(config.tabulationSettings(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/organizations/{orgId}/tabulation',
      tags: ['Organizations'],
      summary: 'Sets the auto-tabulation settings (fields left out keep their value)',
      description: 'windowSeconds: 5 to 3600. autoTagCode: the code of one of the organization’s tags, or null.',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(TabulationUpdate) },
      responses: { 200: json(Tabulation, 'the new settings'), 401: E[401], 403: E[403], 404: E[404], 422: E[422] },
    }),
    (c) => c.json(config.setTabulation(c.req.valid('param').orgId, c.req.valid('json')), 200),
  );

  // --- setup export / import ---

  app.openAPIRegistry.register('OmniSetup', SetupDocument);
  const setupRef = { $ref: '#/components/schemas/OmniSetup' };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/setup',
      tags: ['Setup'],
      summary: 'Exports the whole setup (organization, services, pauses, tags, users) without secrets',
      middleware: admin,
      request: {
        params: OrgParams,
        query: z.object({ format: z.enum(['json', 'yaml']).default('json') }),
      },
      responses: {
        200: {
          description: 'the setup document; secrets appear as "***"',
          content: { 'application/json': { schema: setupRef }, 'application/yaml': { schema: setupRef } },
        },
        401: E[401],
        403: E[403],
        404: E[404],
      },
    }),
    (c) => {
      const { orgId } = c.req.valid('param');
      const format: SetupFormat = c.req.valid('query').format;
      const text = renderSetup(exportSetup(config, orgId, clock.now()), format);
      return c.body(text, 200, {
        'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8',
        'content-disposition': `inline; filename="${orgId}-setup.${format}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/setup',
      tags: ['Setup'],
      summary: 'Imports a setup document (JSON or YAML): creates or updates by natural key, all or nothing',
      description:
        'Services by identifier, pauses by name, tags by code, users by username; nothing is deleted. A secret ' +
        'left out or "***" keeps its current value. Errors name the path in the document (users[2].dialerUser). ' +
        'With ?dryRun=true nothing changes and the answer says what would.',
      middleware: admin,
      request: {
        params: OrgParams,
        query: z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional() }),
        body: {
          required: true,
          content: {
            'application/json': { schema: setupRef },
            'application/yaml': { schema: setupRef },
            'application/x-yaml': { schema: setupRef },
            'text/yaml': { schema: setupRef },
            'text/plain': { schema: setupRef },
          },
        },
      },
      responses: {
        200: json(ImportSummary, 'what was created, updated or left unchanged'),
        400: err('SETUP_UNREADABLE: not JSON or YAML'),
        401: E[401],
        403: E[403],
        404: E[404],
        409: E[409],
        413: err('larger than 4 MiB'),
        415: err('unsupported content type'),
        422: E[422],
      },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const dryRun = ['true', '1'].includes(c.req.valid('query').dryRun ?? 'false');
      const type = essence(c.req.header('content-type'));
      const format: SetupFormat | undefined =
        type === 'application/json' ? 'json' : YAML_TYPES.includes(type) || type === 'text/plain' ? 'yaml' : undefined;
      if (!format)
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          415,
          `send the setup as application/json or application/yaml, not '${type || 'no content type'}'`,
        );
      const body = (await readLimited(c.req.raw, SETUP_MAX_BYTES, 'setup document')).toString('utf8');
      const doc = parseSetupText(body, format);
      return c.json(importSetup(config, orgId, doc, { dryRun }), 200);
    },
  );

  // --- users ---

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/users',
      tags: ['Users'],
      summary: 'Users (never a password: hasPassword, hasDialerPassword)',
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(z.array(User), 'users'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => c.json(config.listUsers(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/users',
      tags: ['Users'],
      summary: 'Creates a user; with useDialer, dialerUser and dialerPassword exactly as in the dialer',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(UserCreate) },
      responses: {
        201: json(User, 'created'),
        401: E[401],
        403: E[403],
        404: E[404],
        409: E[409],
        422: E[422],
      },
    }),
    (c) => c.json(config.createUser(c.req.valid('param').orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/users/{userId}',
      tags: ['Users'],
      summary: 'One user',
      middleware: admin,
      request: { params: UserParams },
      responses: { 200: json(User, 'the user'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, userId } = c.req.valid('param');
      return c.json(config.getUser(orgId, userId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{orgId}/users/{userId}',
      tags: ['Users'],
      summary: 'Changes a user (fields left out keep their value; applies at their next login)',
      middleware: admin,
      request: { params: UserParams, ...jsonBody(UserUpdate) },
      responses: {
        200: json(User, 'updated'),
        401: E[401],
        403: E[403],
        404: E[404],
        409: E[409],
        422: E[422],
      },
    }),
    (c) => {
      const { orgId, userId } = c.req.valid('param');
      return c.json(config.updateUser(orgId, userId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}/users/{userId}',
      tags: ['Users'],
      summary: 'Deletes a user (not the only administrator)',
      middleware: admin,
      request: { params: UserParams },
      responses: { 200: json(Ok, 'deleted'), 401: E[401], 403: E[403], 404: E[404], 409: E[409] },
    }),
    (c) => {
      const { orgId, userId } = c.req.valid('param');
      config.deleteUser(orgId, userId);
      return c.json({ ok: true as const }, 200);
    },
  );

  // --- services ---

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/services',
      tags: ['Services'],
      summary: 'Services (queues); an AGV service has the AGV’s ramal as identifier',
      middleware: admin,
      request: { params: OrgParams },
      responses: { 200: json(z.array(Service), 'services'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => c.json(config.listServices(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/services',
      tags: ['Services'],
      summary: 'Creates a service (identifier unique in the organization)',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(ServiceInput) },
      responses: { 201: json(Service, 'created'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => c.json(config.createService(c.req.valid('param').orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/services/{serviceId}',
      tags: ['Services'],
      summary: 'One service',
      middleware: admin,
      request: { params: ServiceParams },
      responses: { 200: json(Service, 'the service'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, serviceId } = c.req.valid('param');
      return c.json(config.getService(orgId, serviceId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{orgId}/services/{serviceId}',
      tags: ['Services'],
      summary: 'Changes a service',
      middleware: admin,
      request: { params: ServiceParams, ...jsonBody(ServiceUpdate) },
      responses: { 200: json(Service, 'updated'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => {
      const { orgId, serviceId } = c.req.valid('param');
      return c.json(config.updateService(orgId, serviceId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}/services/{serviceId}',
      tags: ['Services'],
      summary: 'Deletes a service (and its links to users and tags)',
      middleware: admin,
      request: { params: ServiceParams },
      responses: { 200: json(Ok, 'deleted'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, serviceId } = c.req.valid('param');
      config.deleteService(orgId, serviceId);
      return c.json({ ok: true as const }, 200);
    },
  );

  // --- pauses ---

  const { pauseCatalogue } = options;
  if (pauseCatalogue)
    app.openapi(
      createRoute({
        method: 'get',
        path: '/organizations/{orgId}/pauses/drift',
        tags: ['Pauses'],
        summary: "Compares Omni's pauses with the dialer's catalogue (names and ID Status must be exactly equal)",
        description:
          'Reports, never fixes: name_differs (same ID Status; says whether only by case, accents or spaces), ' +
          'unknown_id_status (the dialer lacks it), missing_in_omni (a dialer pause Omni lacks; system pauses excepted).',
        middleware: [requireRole('supervisor', 'admin'), ownOrganization],
        request: { params: OrgParams },
        responses: {
          200: json(PauseDriftReport, 'the findings; empty when in sync'),
          401: E[401],
          403: E[403],
          404: E[404],
          409: err('the dialer is not configured'),
          502: err('the dialer could not be reached'),
        },
      }),
      async (c) => {
        const { orgId } = c.req.valid('param');
        const omni = config.listPauses(orgId);
        const findings = pauseCatalogueDrift(omni, await pauseCatalogue(orgId));
        return c.json(
          { orgId, checkedAt: new Date(clock.now()).toISOString(), inSync: findings.length === 0, findings },
          200,
        );
      },
    );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/pauses',
      tags: ['Pauses'],
      summary: 'Pauses (name and ID Status exactly as in the dialer); every role of the organization may read them',
      middleware: member,
      request: { params: OrgParams },
      responses: { 200: json(z.array(Pause), 'pauses'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => c.json(config.listPauses(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/pauses',
      tags: ['Pauses'],
      summary: 'Creates a pause; 409 PAUSE_DUPLICATE when its name or ID Status is taken',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(PauseInput) },
      responses: { 201: json(Pause, 'created'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => c.json(config.createPause(c.req.valid('param').orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/pauses/{pauseId}',
      tags: ['Pauses'],
      summary: 'One pause',
      middleware: member,
      request: { params: PauseParams },
      responses: { 200: json(Pause, 'the pause'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, pauseId } = c.req.valid('param');
      return c.json(config.getPause(orgId, pauseId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{orgId}/pauses/{pauseId}',
      tags: ['Pauses'],
      summary: 'Changes a pause',
      middleware: admin,
      request: { params: PauseParams, ...jsonBody(PauseUpdate) },
      responses: { 200: json(Pause, 'updated'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => {
      const { orgId, pauseId } = c.req.valid('param');
      return c.json(config.updatePause(orgId, pauseId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}/pauses/{pauseId}',
      tags: ['Pauses'],
      summary: 'Deletes a pause',
      middleware: admin,
      request: { params: PauseParams },
      responses: { 200: json(Ok, 'deleted'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, pauseId } = c.req.valid('param');
      config.deletePause(orgId, pauseId);
      return c.json({ ok: true as const }, 200);
    },
  );

  // --- tags ---

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/tags',
      tags: ['Tags'],
      summary: 'Tags (tabulations); every role of the organization may read them',
      middleware: member,
      request: { params: OrgParams, query: z.object({ serviceId: z.string().optional() }) },
      responses: { 200: json(z.array(Tag), 'tags'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId } = c.req.valid('param');
      const { serviceId } = c.req.valid('query');
      return c.json(serviceId ? config.tagsForService(orgId, serviceId) : config.listTags(orgId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{orgId}/tags',
      tags: ['Tags'],
      summary: 'Creates a tag (code unique in the organization; no services: offered in every service)',
      middleware: admin,
      request: { params: OrgParams, ...jsonBody(TagInput) },
      responses: { 201: json(Tag, 'created'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => c.json(config.createTag(c.req.valid('param').orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{orgId}/tags/{tagId}',
      tags: ['Tags'],
      summary: 'One tag',
      middleware: member,
      request: { params: TagParams },
      responses: { 200: json(Tag, 'the tag'), 401: E[401], 403: E[403], 404: E[404] },
    }),
    (c) => {
      const { orgId, tagId } = c.req.valid('param');
      return c.json(config.getTag(orgId, tagId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{orgId}/tags/{tagId}',
      tags: ['Tags'],
      summary: 'Changes a tag',
      middleware: admin,
      request: { params: TagParams, ...jsonBody(TagUpdate) },
      responses: { 200: json(Tag, 'updated'), 401: E[401], 403: E[403], 404: E[404], 409: E[409], 422: E[422] },
    }),
    (c) => {
      const { orgId, tagId } = c.req.valid('param');
      return c.json(config.updateTag(orgId, tagId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/organizations/{orgId}/tags/{tagId}',
      tags: ['Tags'],
      summary: 'Deletes a tag (not the auto-tabulation one: 409 TAG_IN_USE)',
      middleware: admin,
      request: { params: TagParams },
      responses: { 200: json(Ok, 'deleted'), 401: E[401], 403: E[403], 404: E[404], 409: E[409] },
    }),
    (c) => {
      const { orgId, tagId } = c.req.valid('param');
      config.deleteTag(orgId, tagId);
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
