import { createRoute, z } from '@hono/zod-openapi';
import {
  AssignRequest,
  Call,
  CallState,
  Disposition,
  DispositionRequest,
  HangupRequest,
  TransferRequest,
} from '../../contract/calls.ts';
import { DialerUser } from '../../contract/organizations.ts';
import { errors, json, jsonBody } from '../../core/http/openapi.ts';
import { dialerRouter } from '../http/app.ts';
import type { CallFlow } from './call-flow.ts';

const tags = ['Calls'];
const idParam = { params: z.object({ id: z.string().min(1) }) };

/** Calls: listing, hang-up, transfer, assignment of AGV-returned calls, and the one disposition per call. */
export function callRoutes(flow: CallFlow) {
  const app = dialerRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/calls',
      tags,
      summary: 'Recent calls, newest first',
      request: {
        query: z.object({
          state: CallState.optional(),
          dialerUser: DialerUser.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: json(z.array(Call), 'the calls'), 401: errors[401], 422: errors[422] },
    }),
    (c) => c.json(flow.list(c.var.orgId, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/calls/{id}',
      tags,
      summary: 'One call with its disposition',
      request: idParam,
      responses: { 200: json(Call, 'the call'), 401: errors[401], 404: errors[404] },
    }),
    (c) => c.json(flow.get(c.var.orgId, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/hangup',
      tags,
      summary: 'Hangs up from the agent’s side; the agent goes to wrap-up',
      request: { ...idParam, body: { content: { 'application/json': { schema: HangupRequest } }, required: false } },
      responses: { 200: json(Call, 'ended'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    async (c) => {
      const body = HangupRequest.parse(await c.req.json().catch(() => ({})));
      return c.json(flow.hangup(c.var.orgId, c.req.valid('param').id, body.by), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/transfer',
      tags,
      summary: 'Transfers a connected call to an extension (an AGV, or another agent’s)',
      request: { ...idParam, ...jsonBody(TransferRequest) },
      responses: {
        200: json(z.object({ call: Call, newCall: Call }).openapi('TransferResult'), 'transferred'),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => c.json(flow.transfer(c.var.orgId, c.req.valid('param').id, c.req.valid('json').extension), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/assign',
      tags,
      summary: 'Offers a queued call (handed back by an AGV) to an available agent',
      request: { ...idParam, ...jsonBody(AssignRequest) },
      responses: { 200: json(Call, 'offered'), 401: errors[401], 404: errors[404], 409: errors[409], 422: errors[422] },
    }),
    (c) => c.json(flow.assign(c.var.orgId, c.req.valid('param').id, c.req.valid('json').dialerUser), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/disposition',
      tags,
      summary:
        'The call’s one disposition (tag code + notes). Send an Idempotency-Key: a retry with it replays the first answer',
      request: {
        ...idParam,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        ...jsonBody(DispositionRequest),
      },
      responses: {
        200: json(Disposition, 'recorded (or replayed: header Idempotent-Replayed: true)'),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      const { disposition, replayed } = flow.dispose(c.var.orgId, c.req.valid('param').id, c.req.valid('json'), key);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(disposition, 200);
    },
  );

  return app;
}
