import { z } from '@hono/zod-openapi';
import { defineRoute, json, jsonBody } from '../../../core/http/openapi.ts';
import { wholeNumberParam } from '../../../core/http/params.ts';
import {
  AssignRequest,
  Call,
  CallState,
  Disposition,
  DispositionRequest,
  HangupRequest,
  TransferRequest,
} from '../../calls.ts';
import { DialerUser } from '../../organizations.ts';

const tags = ['Calls'];
const idParam = { params: z.object({ id: z.string().min(1) }) };
export const TransferResult = z.object({ call: Call, newCall: Call }).openapi('TransferResult');

/** Calls: listing, hang-up, transfer, assignment of AGV-returned calls, and the one disposition per call. */
export const callRoutes = {
  'calls.list': defineRoute({
    operationId: 'calls.list',
    method: 'get',
    path: '/calls',
    tags,
    summary: 'Recent calls, newest first',
    request: {
      query: z.object({
        state: CallState.optional(),
        dialerUser: DialerUser.optional(),
        limit: wholeNumberParam({ min: 1, max: 1000 }).default(100),
      }),
    },
    responses: { 200: json(z.array(Call), 'the calls') },
  }),
  'calls.get': defineRoute(
    {
      operationId: 'calls.get',
      method: 'get',
      path: '/calls/{id}',
      tags,
      summary: 'One call with its disposition',
      request: idParam,
      responses: { 200: json(Call, 'the call') },
    },
    { errors: [404] },
  ),
  'calls.hangup': defineRoute(
    {
      operationId: 'calls.hangup',
      method: 'post',
      path: '/calls/{id}/hangup',
      tags,
      summary: 'Hangs up from the agent’s side (or a supervisor’s, through Omni); the agent goes to wrap-up',
      request: {
        ...idParam,
        body: {
          content: { 'application/json': { schema: HangupRequest } },
          description: 'who hangs up (default: the agent); the body may be left out',
          required: false,
        },
      },
      responses: { 200: json(Call, 'ended') },
    },
    { errors: [404, 409] },
  ),
  'calls.transfer': defineRoute(
    {
      operationId: 'calls.transfer',
      method: 'post',
      path: '/calls/{id}/transfer',
      tags,
      summary:
        'Transfers a connected call to an extension (an AGV, or another agent’s): EXTENSION_NOT_FOUND (404), ' +
        'TRANSFER_TARGET_OFFLINE / TRANSFER_TARGET_BUSY (409), TRANSFER_TO_SELF (422) say why one fails',
      request: { ...idParam, ...jsonBody(TransferRequest) },
      responses: { 200: json(TransferResult, 'transferred') },
    },
    { errors: [404, 409] },
  ),
  'calls.assign': defineRoute(
    {
      operationId: 'calls.assign',
      method: 'post',
      path: '/calls/{id}/assign',
      tags,
      summary: 'Offers a queued call (handed back by an AGV) to an available agent',
      request: { ...idParam, ...jsonBody(AssignRequest) },
      responses: { 200: json(Call, 'offered') },
    },
    { errors: [404, 409] },
  ),
  'calls.disposition': defineRoute(
    {
      operationId: 'calls.disposition',
      method: 'post',
      path: '/calls/{id}/disposition',
      tags,
      summary:
        'The call’s one disposition (tag code + notes). Send an Idempotency-Key: a retry with it replays the first ' +
        'answer; any other second disposition is 409 CALL_ALREADY_DISPOSED and recorded as a violation',
      request: {
        ...idParam,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
        ...jsonBody(DispositionRequest),
      },
      responses: {
        200: {
          ...json(Disposition, 'recorded, or replayed (then with the header Idempotent-Replayed: true)'),
          headers: z.object({
            'idempotent-replayed': z.literal('true').optional().describe('present when this answer is a replay'),
          }),
        },
      },
    },
    { errors: [404, 409] },
  ),
};
