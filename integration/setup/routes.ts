import { z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { ErrorBody } from '../../core/http/error-body.ts';
import { defineRoute, json } from '../../core/http/openapi.ts';
import type { Configuration } from '../configuration.ts';
import { integrationRouter } from '../http/app.ts';
import { orgAdmin, orgParams } from '../http/crud-routes.ts';
import { readLimited } from '../http/read-limited.ts';
import { exportSetup, importSetup, parseSetupText, renderSetup, SetupDocument, type SetupFormat } from './setup-io.ts';

const tags = ['Empresas'];
const SETUP_MAX_BYTES = 4 * 1024 * 1024;
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const essence = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

const EntityImport = z.object({
  created: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
});

const ImportSummary = z
  .object({
    dryRun: z.boolean(),
    organization: z.enum(['updated', 'unchanged']),
    services: EntityImport,
    pauses: EntityImport,
    tags: EntityImport,
    users: EntityImport,
    warnings: z.array(z.string()),
  })
  .openapi('OmniSetupImportSummary');

/** The whole setup of an organization as one document: export (JSON or YAML, no secret) and import. */
export function setupRoutes(config: Configuration, clock: Clock) {
  const app = integrationRouter();
  app.openAPIRegistry.register('OmniSetup', SetupDocument);
  const setupRef = { $ref: '#/components/schemas/OmniSetup' };

  app.openapi(
    defineRoute(
      {
        method: 'get',
        path: '/organizations/{orgId}/setup',
        operationId: 'setup.export',
        tags,
        summary: 'Exports the whole setup (organization, services, pauses, tags, users) without secrets',
        middleware: orgAdmin,
        request: {
          params: orgParams(),
          query: z.object({ format: z.enum(['json', 'yaml']).default('json') }),
        },
        responses: {
          200: {
            description: 'the setup document; secrets appear as "***"',
            content: { 'application/json': { schema: setupRef }, 'application/yaml': { schema: setupRef } },
          },
        },
      },
      { errors: [403, 404] },
    ),
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
    defineRoute(
      {
        method: 'post',
        path: '/organizations/{orgId}/setup',
        operationId: 'setup.import',
        tags,
        summary: 'Imports a setup document (JSON or YAML): creates or updates by natural key, all or nothing',
        description:
          'Services by identifier, pauses by name, tags by code, users by username; nothing is deleted. A secret ' +
          'left out or "***" keeps its current value. Errors name the path in the document (users[2].dialerUser). ' +
          'With ?dryRun=true nothing changes and the answer says what would.',
        middleware: orgAdmin,
        request: {
          params: orgParams(),
          query: z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional() }),
          // Plain schemas, not zod: the handler reads the text itself (JSON or YAML) and validates the document.
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
          400: json(ErrorBody, 'SETUP_UNREADABLE: not JSON or YAML (with line and column when known)'),
          413: json(ErrorBody, 'BODY_TOO_LARGE: larger than 4 MiB'),
          415: json(ErrorBody, 'UNSUPPORTED_MEDIA_TYPE: send application/json or application/yaml'),
        },
      },
      { errors: [400, 403, 404, 409, 413, 415, 422] },
    ),
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
      return c.json(await importSetup(config, orgId, doc, { dryRun }), 200);
    },
  );

  return app;
}
