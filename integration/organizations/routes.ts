import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import { ErrorBody } from '../../core/http/error-body.ts';
import { defineRoute, ERROR_DESCRIPTIONS, json, jsonBody, Ok } from '../../core/http/openapi.ts';
import {
  isOperatorRequest,
  OPERATOR_HEADER,
  type OperatorToken,
  operatorOrSession,
  requireOperator,
} from '../auth/operator.ts';
import type { Sessions } from '../auth/sessions.ts';
import { type IntegrationEnv, integrationRouter, requireRole } from '../http/app.ts';
import { orgAdmin, orgParams } from '../http/crud-routes.ts';
import { readLimited } from '../http/read-limited.ts';
import { parseOrThrow } from '../validation/parse.ts';
import type { Organizations } from './repository.ts';
import {
  CertificateUploadJson,
  CertificateView,
  FirstAdmin,
  Organization,
  OrganizationCreate,
  OrganizationUpdate,
  Tabulation,
  TabulationUpdate,
} from './schemas.ts';

const tags = ['Empresas'];
const OrgParams = orgParams();
const CERTIFICATE_MAX_BYTES = 256 * 1024;

const OrganizationCreateRequest = OrganizationCreate.extend({ admin: FirstAdmin }).openapi(
  'OmniOrganizationCreateRequest',
  {
    example: {
      id: 'acme',
      name: 'ACME Cobranças',
      admin: { username: 'admin', name: 'Administradora', password: 'uma-senha-longa' },
    },
  },
);

/** The operator passes; a session must be an administrator's (403 FORBIDDEN_ROLE otherwise). */
const adminOnly = requireRole('admin');
const adminUnlessOperator: MiddlewareHandler<IntegrationEnv> = (c, next) =>
  isOperatorRequest(c) ? next() : adminOnly(c, next);

const essence = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * The platform's directory of organizations, mounted before the session middleware: creating an organization (a
 * tenant) needs the operator token; listing answers all organizations to the operator and their own to an
 * organization's administrator.
 */
export function organizationDirectoryRoutes(organizations: Organizations, operator: OperatorToken, sessions: Sessions) {
  const app = integrationRouter();
  const auth = operatorOrSession(operator, sessions);

  app.openapi(
    defineRoute(
      {
        method: 'post',
        path: '/organizations',
        operationId: 'organizations.create',
        tags,
        summary: 'Creates an organization with its first administrator (platform operator only)',
        description:
          `Needs the platform operator token in the ${OPERATOR_HEADER} header (printed by ds-harness start, kept in ` +
          "the data folder); an organization's administrator gets 403 OPERATOR_REQUIRED.",
        security: [{ operator: [] }],
        middleware: [auth, requireOperator('creating an organization')],
        request: jsonBody(OrganizationCreateRequest),
        responses: {
          201: json(Organization, 'created'),
          403: json(ErrorBody, 'OPERATOR_REQUIRED: a session (an organization’s user) cannot create organizations'),
        },
      },
      { errors: [409] },
    ),
    async (c) => c.json(await organizations.create(c.req.valid('json')), 201),
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/organizations',
        operationId: 'organizations.list',
        tags,
        summary: "Every organization (platform operator), or the caller's own (an administrator)",
        security: [{ operator: [] }, { session: [] }],
        middleware: [auth, adminUnlessOperator],
        responses: {
          200: json(z.array(Organization), 'organizations'),
          403: json(ErrorBody, `FORBIDDEN_ROLE: ${ERROR_DESCRIPTIONS[403]}`),
        },
      },
      { errors: [] },
    ),
    (c) => {
      if (isOperatorRequest(c)) return c.json(organizations.list(), 200);
      const own = c.var.session.orgId;
      return c.json(organizations.exists(own) ? [organizations.get(own)] : [], 200);
    },
  );

  return app;
}

/** One organization: its dialer parameters, certificate and tabulation (its administrators, in their own one). */
export function organizationRoutes(organizations: Organizations) {
  const app = integrationRouter();

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/organizations/{orgId}',
        operationId: 'organizations.get',
        tags,
        summary: 'The organization: dialer parameters (never the key), certificate, tabulation, what is missing',
        middleware: orgAdmin,
        request: { params: OrgParams },
        responses: { 200: json(Organization, 'the organization') },
      },
      { errors: [403, 404] },
    ),
    (c) => c.json(organizations.get(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    defineRoute(
      {
        method: 'patch',
        path: '/organizations/{orgId}',
        operationId: 'organizations.update',
        tags,
        summary: 'Changes the dialer parameters (Chave do discador, Servidor do discador, Servidor WebRTC) or name',
        description: 'Fields left out keep their value; null clears one. Changes reach agents at their next login.',
        middleware: orgAdmin,
        request: { params: OrgParams, ...jsonBody(OrganizationUpdate) },
        responses: { 200: json(Organization, 'updated') },
      },
      { errors: [403, 404] },
    ),
    (c) => c.json(organizations.update(c.req.valid('param').orgId, c.req.valid('json')), 200),
  );

  app.openapi(
    defineRoute(
      {
        method: 'delete',
        path: '/organizations/{orgId}',
        operationId: 'organizations.delete',
        tags,
        summary: 'Deletes the organization with its users, services, pauses, tags and attendances',
        middleware: orgAdmin,
        request: { params: OrgParams },
        responses: { 200: json(Ok, 'deleted') },
      },
      { errors: [403, 404] },
    ),
    (c) => {
      organizations.delete(c.req.valid('param').orgId);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'put',
        path: '/organizations/{orgId}/certificate',
        operationId: 'organizations.uploadCertificate',
        tags,
        summary: "Uploads the dialer's X.509 certificate in Base64 (PEM) form (.crt, .cer or .pem)",
        description:
          'Send the file as the body (text/plain, application/x-pem-file, application/x-x509-ca-cert, ' +
          'application/pkix-cert or application/octet-stream), as JSON { pem, fileName? }, or as multipart/form-data ' +
          'with the file in the field "certificate" (or "file"). One certificate: the dialer\'s (pinned) or a CA ' +
          "(trusted as the only CA). A bundle: the dialer's certificate followed by its issuers in order, each checked " +
          "to have signed the one before; the dialer's is pinned and the answer lists the chain. DER, private keys, " +
          'cut or damaged files, other bundles (unrelated certificates, wrong order, two server certificates, a CA ' +
          'first), expired and not-yet-valid certificates are refused with 422 and a message that says what to upload.',
        middleware: orgAdmin,
        request: {
          params: OrgParams,
          // Not required: a required body would make the JSON validator run for every content type.
          body: {
            required: false,
            content: {
              'application/json': { schema: CertificateUploadJson },
              'text/plain': { schema: z.string() },
              'application/x-pem-file': { schema: z.string() },
              'application/x-x509-ca-cert': { schema: z.string() },
              'application/pkix-cert': { schema: z.string() },
              'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
              // A plain schema, not zod: the form's file is not a string, and the handler reads it itself.
              'multipart/form-data': {
                schema: { type: 'object', properties: { certificate: { type: 'string', format: 'binary' } } },
              },
            },
          },
        },
        responses: {
          200: json(CertificateView, 'stored: what is trusted (subject, issuer, validity, fingerprint) and the chain'),
          413: json(ErrorBody, 'BODY_TOO_LARGE: larger than 256 KiB'),
          415: json(ErrorBody, 'UNSUPPORTED_MEDIA_TYPE: send the file as one of the listed types'),
          422: json(ErrorBody, 'not an acceptable certificate (codes CERTIFICATE_*), or VALIDATION_FAILED'),
        },
      },
      { errors: [403, 404, 413] },
    ),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const type = essence(c.req.header('content-type'));
      if (type === 'application/json') {
        const body = parseOrThrow(CertificateUploadJson, await c.req.json(), 'body');
        return c.json(organizations.uploadCertificate(orgId, body.pem, { fileName: body.fileName }), 200);
      }
      if (type === 'multipart/form-data') {
        const form = await c.req.parseBody();
        const file = form.certificate ?? form.file;
        if (!(file instanceof File))
          throw new AppError('VALIDATION_FAILED', 422, 'body.certificate: send the certificate file in this field', {
            issues: [{ path: 'body.certificate', message: 'a file is required', code: 'custom' }],
          });
        if (file.size > CERTIFICATE_MAX_BYTES)
          throw new AppError('BODY_TOO_LARGE', 413, `the certificate is larger than ${CERTIFICATE_MAX_BYTES} bytes`, {
            maxBytes: CERTIFICATE_MAX_BYTES,
          });
        const bytes = Buffer.from(await file.arrayBuffer());
        return c.json(organizations.uploadCertificate(orgId, bytes, { fileName: file.name || undefined }), 200);
      }
      const bytes = await readLimited(c.req.raw, CERTIFICATE_MAX_BYTES, 'certificate');
      return c.json(organizations.uploadCertificate(orgId, bytes), 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'delete',
        path: '/organizations/{orgId}/certificate',
        operationId: 'organizations.removeCertificate',
        tags,
        summary: "Removes the dialer's certificate",
        middleware: orgAdmin,
        request: { params: OrgParams },
        responses: { 200: json(Ok, 'removed') },
      },
      { errors: [403, 404] },
    ),
    (c) => {
      organizations.removeCertificate(c.req.valid('param').orgId);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/organizations/{orgId}/tabulation',
        operationId: 'organizations.getTabulation',
        tags,
        summary: 'Auto-tabulation: on/off, window (default 30 s), tag used by automatic finalization',
        middleware: orgAdmin,
        request: { params: OrgParams },
        responses: { 200: json(Tabulation, 'the settings') },
      },
      { errors: [403, 404] },
    ),
    (c) => c.json(organizations.tabulation(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    defineRoute(
      {
        method: 'put',
        path: '/organizations/{orgId}/tabulation',
        operationId: 'organizations.setTabulation',
        tags,
        summary: 'Sets the auto-tabulation settings (fields left out keep their value)',
        description: 'windowSeconds: 5 to 3600. autoTagCode: the code of one of the organization’s tags, or null.',
        middleware: orgAdmin,
        request: { params: OrgParams, ...jsonBody(TabulationUpdate) },
        responses: { 200: json(Tabulation, 'the new settings') },
      },
      { errors: [403, 404] },
    ),
    (c) => c.json(organizations.setTabulation(c.req.valid('param').orgId, c.req.valid('json')), 200),
  );

  return app;
}
