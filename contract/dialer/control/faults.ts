import { z } from '@hono/zod-openapi';
import { PathPattern } from '../path-pattern.ts';
import { DialerRouteIdSchema } from '../routes/index.ts';

/** Upper bound for any injected delay, sampled or fixed: a fault must never hold a connection for minutes. */
export const MAX_LATENCY_MS = 120_000;

const Ms = z.number().min(0).max(MAX_LATENCY_MS);

export const LatencyDistribution = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('fixed'), ms: Ms }),
    z
      .strictObject({ type: z.literal('uniform'), minMs: Ms, maxMs: Ms })
      .refine((d) => d.minMs <= d.maxMs, { message: 'minMs must not exceed maxMs', path: ['maxMs'] }),
    z.strictObject({
      type: z.literal('lognormal'),
      medianMs: z.number().positive().max(MAX_LATENCY_MS),
      sigma: z.number().min(0).max(5).describe('spread of ln(delay); 0 is a fixed delay of medianMs'),
    }),
  ])
  .openapi('FaultLatencyDistribution');
export type LatencyDistribution = z.infer<typeof LatencyDistribution>;

export const FaultSpec = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('latency'), distribution: LatencyDistribution }),
    z.strictObject({
      kind: z.literal('error'),
      status: z.number().int().min(400).max(599),
      code: z.string().min(1).max(100).optional().describe("the error code answered; 'INJECTED_FAULT' when absent"),
      message: z.string().min(1).max(1000).optional(),
    }),
    z.strictObject({ kind: z.literal('reset').describe('destroys the TCP connection without an answer') }),
    z.strictObject({
      kind: z.literal('drop_stream'),
      afterEvents: z.number().int().min(0).describe('the event stream closes after sending this many events'),
    }),
  ])
  .openapi('FaultSpec');
export type FaultSpec = z.infer<typeof FaultSpec>;

export const FaultMatch = z
  .strictObject({
    method: z
      .string()
      .regex(/^(\*|[A-Za-z]+)$/, 'a method is an HTTP method name or *')
      .default('*')
      .openapi({ example: 'POST' }),
    path: PathPattern.optional().describe('the requests’ path (pattern); or give route'),
    route: DialerRouteIdSchema.optional().describe('or the dialer API route, by id, whatever its path parameters'),
  })
  .refine((m) => (m.path === undefined) !== (m.route === undefined), {
    error: 'match a path or a route (by id), one of the two',
    path: ['path'],
  })
  .openapi('FaultMatch');

export const FaultRuleInput = z
  .strictObject({
    match: FaultMatch,
    fault: FaultSpec,
    probability: z.number().min(0).max(1).default(1).describe('chance that a matching request gets the fault'),
    times: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('the rule applies to this many requests, then is removed; forever when absent'),
  })
  .openapi('FaultRuleInput');
/** What `add` takes: defaults (method '*', probability 1) may be left out. */
export type FaultRuleInput = z.input<typeof FaultRuleInput>;

// Built from the input's fields, not `FaultRuleInput.extend`: the document would render that as an allOf of two
// closed objects, each refusing the other's fields, which no rule could ever match.
export const FaultRule = z
  .strictObject({
    ...FaultRuleInput.shape,
    id: z.string().openapi({ example: 'fault-1' }),
    applied: z.number().int().describe('how many requests the fault has been applied to so far'),
    createdAt: z.string().openapi({ example: '2026-01-05T12:00:00.000Z' }),
  })
  .openapi('FaultRule');
export type FaultRule = z.infer<typeof FaultRule>;

export const FaultRuleList = z.object({ faults: z.array(FaultRule) }).openapi('FaultRuleList');
