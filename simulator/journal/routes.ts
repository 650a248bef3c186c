import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../contract/errors.ts';
import { json, jsonBody } from '../../core/http/openapi.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { Journal } from './journal.ts';
import { JournalPage, JournalQuery, VerifyResult, VerifySpec } from './schema.ts';

const tags = ['admin: journal'];
const Removed = z.object({ removed: z.number().int() }).openapi('JournalRemoved');

const listRequests = createRoute({
  method: 'get',
  path: '/requests',
  tags,
  summary: 'Recorded requests, oldest first, filtered by the query parameters',
  request: { query: JournalQuery },
  responses: { 200: json(JournalPage, 'the requests'), 422: json(ErrorBody, 'invalid filter') },
});

const clearRequests = createRoute({
  method: 'delete',
  path: '/requests',
  tags,
  summary: 'Empties the journal (seq keeps counting)',
  responses: { 200: json(Removed, 'how many entries were removed') },
});

const verifyRequests = createRoute({
  method: 'post',
  path: '/requests/verify',
  tags,
  summary: 'Checks how many requests matched and in which order; a failed check answers 200 with ok: false',
  request: jsonBody(VerifySpec),
  responses: { 200: json(VerifyResult, 'the verdict'), 422: json(ErrorBody, 'invalid spec') },
});

/** The journal control API; the simulator mounts it under /__admin (and authenticates it). */
export function journalAdminRoutes(journal: Journal): OpenAPIHono {
  const app = openApiApp();
  app.openapi(listRequests, (c) =>
    c.json({ requests: journal.list(c.req.valid('query')), dropped: journal.dropped, lastSeq: journal.lastSeq }, 200),
  );
  app.openapi(clearRequests, (c) => c.json({ removed: journal.clear() }, 200));
  app.openapi(verifyRequests, (c) => c.json(journal.verify(c.req.valid('json')), 200));
  return app;
}
