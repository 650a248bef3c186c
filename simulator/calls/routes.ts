import { HangupRequest } from '../../contract/calls.ts';
import { callRoutes as routes } from '../../contract/dialer/routes/calls.ts';
import { optionalJsonBody } from '../../core/http/validation.ts';
import { dialerRouter } from '../http/app.ts';
import type { CallFlow } from './call-flow.ts';

/** Calls: listing, hang-up, transfer, assignment of AGV-returned calls, and the one disposition per call. */
export function callRoutes(flow: CallFlow) {
  const app = dialerRouter();

  app.openapi(routes['calls.list'], (c) => c.json(flow.list(c.var.orgId, c.req.valid('query')), 200));

  app.openapi(routes['calls.get'], (c) => c.json(flow.get(c.var.orgId, c.req.valid('param').id), 200));

  app.openapi(routes['calls.hangup'], async (c) => {
    // No body: the agent hangs up.
    const { by } = await optionalJsonBody(c, HangupRequest);
    return c.json(flow.hangup(c.var.orgId, c.req.valid('param').id, by), 200);
  });

  app.openapi(routes['calls.transfer'], (c) =>
    c.json(flow.transfer(c.var.orgId, c.req.valid('param').id, c.req.valid('json').extension), 200),
  );

  app.openapi(routes['calls.assign'], (c) =>
    c.json(flow.assign(c.var.orgId, c.req.valid('param').id, c.req.valid('json').dialerUser), 200),
  );

  app.openapi(routes['calls.disposition'], (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const { disposition, replayed } = flow.dispose(c.var.orgId, c.req.valid('param').id, c.req.valid('json'), key);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(disposition, 200);
  });

  return app;
}
