import { z } from '@hono/zod-openapi';
import { PathPattern } from '../path-pattern.ts';
import { DialerRouteIdSchema } from '../routes/index.ts';

export const JournalEntry = z
  .object({
    seq: z.number().int().describe('1, 2, 3… in the order requests completed; never reused, not even after a clear'),
    at: z.string().describe("when the request arrived, by the simulator's clock (ISO 8601)"),
    method: z.string(),
    path: z.string(),
    route: z.string().optional().describe('the dialer API route the request matched (its id), when it matched one'),
    query: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .describe('repeated parameters as arrays; secret-looking parameters (key, token, password…) redacted'),
    status: z.number().int(),
    durationMs: z.number().describe('wall-clock time until the response (its headers, for a stream) was ready'),
    orgId: z.string().optional(),
    requestHeaders: z
      .record(z.string(), z.string())
      .describe('content-type, idempotency-key, last-event-id and user-agent only: never credentials'),
    requestBody: z
      .string()
      .optional()
      .describe('JSON and CSV bodies only, first 4 KB, secret-looking JSON fields redacted'),
    requestBodyTruncated: z.boolean().optional(),
  })
  .openapi('JournalEntry');
export type JournalEntry = z.infer<typeof JournalEntry>;

const Method = z.string().regex(/^(\*|[A-Za-z]+)$/, 'a method is an HTTP method name or *');

const filterShape = {
  method: Method.optional(),
  route: DialerRouteIdSchema.optional().describe('the route id, whatever the path parameters'),
  path: PathPattern.optional(),
  pathPrefix: z.string().startsWith('/', 'a path prefix starts with /').optional(),
  orgId: z.string().min(1).optional(),
};

/** Which requests: every field given must match. Entries come oldest first; `limit` keeps the first N. */
export const JournalFilter = z
  .strictObject({
    ...filterShape,
    status: z.number().int().min(100).max(599).optional(),
    sinceSeq: z.number().int().min(0).optional().describe('only requests with a greater seq'),
    limit: z.number().int().min(1).optional(),
  })
  .openapi('JournalFilter');
export type JournalFilter = z.infer<typeof JournalFilter>;

/** The same filter as query parameters (GET /requests). */
export const JournalQuery = z.strictObject({
  ...filterShape,
  status: z.coerce.number().int().min(100).max(599).optional(),
  sinceSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

export const CountSpec = z
  .strictObject({
    eq: z.number().int().min(0).optional(),
    gte: z.number().int().min(0).optional(),
    lte: z.number().int().min(0).optional(),
  })
  .refine((c) => c.eq !== undefined || c.gte !== undefined || c.lte !== undefined, {
    message: 'a count needs eq, gte or lte',
  })
  .openapi('JournalCountSpec');

export const VerifySpec = z
  .strictObject({
    request: JournalFilter.describe('the requests counted; `order` looks only among these'),
    count: CountSpec.optional().describe('at least one ({ gte: 1 }) when absent'),
    order: z
      .array(JournalFilter)
      .min(1)
      .optional()
      .describe('requests matching these filters happened in this relative order (others may come between)'),
  })
  .openapi('JournalVerifySpec');
export type VerifySpec = z.input<typeof VerifySpec>;

export const VerifyResult = z
  .object({ ok: z.boolean(), count: z.number().int(), failures: z.array(z.string()) })
  .openapi('JournalVerifyResult');
export type VerifyResult = z.infer<typeof VerifyResult>;

export const JournalPage = z
  .object({
    requests: z.array(JournalEntry),
    dropped: z.number().int().describe('entries dropped (oldest first) since the last clear, past the capacity'),
    lastSeq: z.number().int().describe('the seq of the latest request recorded, 0 before any'),
  })
  .openapi('JournalPage');
