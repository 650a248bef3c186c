import { z } from '@hono/zod-openapi';
import { defineRoute, json } from '../../../core/http/openapi.ts';
import { wholeNumberParam } from '../../../core/http/params.ts';
import { EventPage } from '../../events.ts';

const tags = ['Events'];
/** The most events one page (or one stream write) carries. */
export const EVENT_PAGE_MAX = 500;

const after = wholeNumberParam()
  .optional()
  .describe('resume after this event id (Last-Event-ID wins)')
  .openapi({ example: '0' });

/** The event log: pages after a cursor, and the Server-Sent Events stream that replays then follows live. */
export const eventRoutes = {
  'events.list': defineRoute({
    operationId: 'events.list',
    method: 'get',
    path: '/events',
    tags,
    summary: 'A page of events after a cursor, oldest first',
    request: {
      query: z.object({ after, limit: wholeNumberParam({ min: 1, max: EVENT_PAGE_MAX }).default(100) }),
    },
    responses: { 200: json(EventPage, 'events in order') },
  }),
  'events.stream': defineRoute({
    operationId: 'events.stream',
    method: 'get',
    path: '/events/stream',
    tags,
    summary:
      'Server-Sent Events: every event after Last-Event-ID (or ?after=), then live; each SSE id is the event id, ' +
      'the data the event as JSON (see DialerEvent); a comment every 15 s keeps the connection alive',
    request: {
      query: z.object({ after }),
      headers: z.object({
        'last-event-id': z
          .string()
          .optional()
          .describe('the id of the last event received: digits only, else 422 LAST_EVENT_ID_INVALID'),
      }),
    },
    responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'the stream' } },
  }),
};
