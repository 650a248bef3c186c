import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody } from '../../core/http/openapi.ts';
import { integrationRouter } from '../http/app.ts';
import type { AgentLifecycle } from './lifecycle.ts';

const tags = ['Sessões e agente'];

const LoginInput = z
  .object({
    organization: z.string().min(1).describe('the organization id'),
    username: z.string().min(1),
    password: z.string().min(1),
  })
  .openapi('LoginInput');

const DialerLinkSchema = z.object({
  status: z.enum(['not_used', 'connected', 'failed', 'logged_out']),
  reason: z.string().nullable().describe('why the dialer login failed'),
});

const LoginResultSchema = z
  .object({
    token: z.string(),
    user: z.object({
      id: z.string(),
      name: z.string(),
      username: z.string(),
      role: z.enum(['agent', 'supervisor', 'admin']),
    }),
    dialer: DialerLinkSchema.extend({
      softphone: z
        .object({
          webrtcUrl: z.string(),
          sip: z.object({ username: z.string(), password: z.string(), domain: z.string(), websocketPath: z.string() }),
        })
        .nullable(),
    }),
  })
  .openapi('LoginResult');

const Accepted = z.object({ accepted: z.literal(true), message: z.string() }).openapi('Accepted');

/** Login is public; everything else in this file needs the session (mounted behind the session middleware). */
export function loginRoutes(lifecycle: AgentLifecycle) {
  const app = integrationRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/sessions',
      tags,
      summary:
        'Omni login. A user with Utilizar discador is logged into the dialer too; the answer gives the softphone its WebRTC server and SIP account',
      security: [],
      request: jsonBody(LoginInput),
      responses: { 201: json(LoginResultSchema, 'logged in'), 401: errors[401], 422: errors[422] },
    }),
    async (c) => c.json(await lifecycle.login(c.req.valid('json')), 201),
  );
  return app;
}

export function agentRoutes(lifecycle: AgentLifecycle) {
  const app = integrationRouter();

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions/current',
      tags,
      summary: 'Logout (and, durably, logout from the dialer)',
      responses: { 200: json(z.object({ ok: z.literal(true) }), 'logged out'), 401: errors[401] },
    }),
    (c) => {
      lifecycle.logout(c.var.session.token);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags,
      summary: 'The logged-in user: session configuration, dialer link, state, pause, slots',
      responses: { 200: json(z.any().openapi('Me'), 'the user'), 401: errors[401] },
    }),
    (c) => c.json(lifecycle.me(c.var.session.token), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/pause',
      tags,
      summary: 'Pausa: the dialer is asked to pause with the pause’s ID Status (deferred during a call or wrap-up)',
      request: jsonBody(z.object({ pauseId: z.string().min(1) })),
      responses: { 202: json(Accepted, 'sent to the dialer'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { pause } = lifecycle.requestPause(c.var.session.token, c.req.valid('json').pauseId);
      return c.json(
        { accepted: true as const, message: `pause ${pause.name} (ID Status ${pause.idStatus}) requested` },
        202,
      );
    },
  );

  for (const action of ['unpause', 'available'] as const)
    app.openapi(
      createRoute({
        method: 'post',
        path: `/me/${action}`,
        tags,
        summary:
          action === 'unpause'
            ? 'Ends the pause (or cancels a pending one)'
            : 'Ready for calls (after the LOGIN pause)',
        responses: { 202: json(Accepted, 'sent to the dialer'), 401: errors[401], 409: errors[409] },
      }),
      (c) => {
        if (action === 'unpause') lifecycle.unpause(c.var.session.token);
        else lifecycle.available(c.var.session.token);
        return c.json({ accepted: true as const, message: `${action} requested` }, 202);
      },
    );

  return app;
}
