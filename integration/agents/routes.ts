import { defineRoute, json, jsonBody, Ok } from '../../core/http/openapi.ts';
import { integrationRouter } from '../http/app.ts';
import type { AgentLifecycle } from './lifecycle.ts';
import { Accepted, LoginInput, LoginResultSchema, MeSchema, PauseRequestInput } from './schemas.ts';

/** The sessions and the agent's own routes, as the API documents them (Omni's words: Sessões, Agente). */
export const SESSION_TAGS = [
  { name: 'Sessões', description: 'Omni login and logout; with Utilizar discador, the dialer login and logout too' },
  {
    name: 'Agente',
    description: 'the logged-in user: their state at the dialer, pauses (Pausas), availability, slots',
  },
];

const sessionTags = ['Sessões'];
const agentTags = ['Agente'];

const routes = {
  login: defineRoute(
    {
      operationId: 'sessions.create',
      method: 'post',
      path: '/sessions',
      tags: sessionTags,
      summary:
        'Omni login. A user with Utilizar discador is logged into the dialer too; the answer gives the softphone its WebRTC server and SIP account',
      description:
        'A wrong organization, username or password is 401 LOGIN_INVALID. A failed dialer login does not fail the ' +
        'Omni login: the answer says `dialer.status: failed` and why. A new login ends the user’s previous session. ' +
        'A deactivated user with the right password is 403 USER_INACTIVE. Failed logins are throttled per user and ' +
        'per client address: 429 LOGIN_THROTTLED with Retry-After.',
      request: jsonBody(LoginInput),
      responses: { 201: json(LoginResultSchema, 'logged in') },
    },
    { auth: false, errors: [401, 403, 429] },
  ),
  logout: defineRoute({
    operationId: 'sessions.end',
    method: 'delete',
    path: '/sessions/current',
    tags: sessionTags,
    summary: 'Logout (and, durably, logout from the dialer)',
    responses: { 200: json(Ok, 'logged out') },
  }),
  me: defineRoute({
    operationId: 'me.get',
    method: 'get',
    path: '/me',
    tags: agentTags,
    summary: 'The logged-in user: session configuration, dialer link, state, pause, slots',
    responses: { 200: json(MeSchema, 'the user') },
  }),
  pause: defineRoute(
    {
      operationId: 'me.pause',
      method: 'post',
      path: '/me/pause',
      tags: agentTags,
      summary: 'Pausa: the dialer is asked to pause with the pause’s ID Status (deferred during a call or wrap-up)',
      description:
        '404 PAUSE_NOT_FOUND for an unknown pause; 409 DIALER_NOT_USED or DIALER_NOT_CONNECTED when the session has ' +
        'no dialer link.',
      request: jsonBody(PauseRequestInput),
      responses: { 202: json(Accepted, 'sent to the dialer') },
    },
    { errors: [404, 409] },
  ),
  unpause: defineRoute(
    {
      operationId: 'me.unpause',
      method: 'post',
      path: '/me/unpause',
      tags: agentTags,
      summary: 'Ends the pause (or cancels a pending one)',
      description: '409 DIALER_NOT_USED or DIALER_NOT_CONNECTED when the session has no dialer link.',
      responses: { 202: json(Accepted, 'sent to the dialer') },
    },
    { errors: [409] },
  ),
  available: defineRoute(
    {
      operationId: 'me.available',
      method: 'post',
      path: '/me/available',
      tags: agentTags,
      summary: 'Ready for calls (after the LOGIN pause)',
      description: '409 DIALER_NOT_USED or DIALER_NOT_CONNECTED when the session has no dialer link.',
      responses: { 202: json(Accepted, 'sent to the dialer') },
    },
    { errors: [409] },
  ),
};

/** Login is public; everything else in this file needs the session (mounted behind the session middleware). */
export function loginRoutes(lifecycle: AgentLifecycle) {
  const app = integrationRouter();
  app.openapi(routes.login, async (c) => c.json(await lifecycle.login(c.req.valid('json')), 201));
  return app;
}

export function agentRoutes(lifecycle: AgentLifecycle) {
  const app = integrationRouter();

  app.openapi(routes.logout, (c) => {
    lifecycle.logout(c.var.session.token);
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(routes.me, (c) => c.json(lifecycle.me(c.var.session.token), 200));

  app.openapi(routes.pause, (c) => {
    const { pause } = lifecycle.requestPause(c.var.session.token, c.req.valid('json').pauseId);
    return c.json(
      { accepted: true as const, message: `pause ${pause.name} (ID Status ${pause.idStatus}) requested` },
      202,
    );
  });

  app.openapi(routes.unpause, (c) => {
    lifecycle.unpause(c.var.session.token);
    return c.json({ accepted: true as const, message: 'unpause requested' }, 202);
  });

  app.openapi(routes.available, (c) => {
    lifecycle.available(c.var.session.token);
    return c.json({ accepted: true as const, message: 'available requested' }, 202);
  });

  return app;
}
