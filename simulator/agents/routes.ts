import { createRoute, z } from '@hono/zod-openapi';
import {
  AgentLoginRequest,
  AgentLoginResponse,
  AgentStatus,
  PauseRequest,
  PauseResponse,
} from '../../contract/agents.ts';
import { DialerAgent, DialerAgentInput, DialerAgentUpdate, DialerUser } from '../../contract/organizations.ts';
import { errors, json, jsonBody, Ok } from '../../core/http/openapi.ts';
import type { CallFlow } from '../calls/call-flow.ts';
import { dialerRouter } from '../http/app.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { AgentSessions } from './sessions.ts';

const tags = ['Agents'];
const AgentWithStatus = DialerAgent.extend({ status: AgentStatus }).openapi('AgentWithStatus');
const userParam = { params: z.object({ dialerUser: DialerUser }) };

/** Agents: their dialer accounts (user + password) and their sessions (login, pauses, availability). */
export function agentRoutes(orgs: OrganizationRepository, sessions: AgentSessions, flow: CallFlow, sipDomain: string) {
  const app = dialerRouter();
  const withStatus = (orgId: string, user: string) => ({
    ...orgs.agent(orgId, user),
    status: sessions.status(orgId, user),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/agents',
      tags,
      summary: 'Agents with their current state',
      responses: { 200: json(z.array(AgentWithStatus), 'the agents'), 401: errors[401] },
    }),
    (c) =>
      c.json(
        orgs.agents(c.var.orgId).map((a) => withStatus(c.var.orgId, a.dialerUser)),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents',
      tags,
      summary: 'Creates an agent account (dialer user + password); the password is never returned',
      request: jsonBody(DialerAgentInput),
      responses: { 201: json(AgentWithStatus, 'created'), 401: errors[401], 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      const a = orgs.createAgent(c.var.orgId, c.req.valid('json'));
      return c.json(withStatus(c.var.orgId, a.dialerUser), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents/login',
      tags,
      summary: 'Logs an agent in with dialer user + password; the agent starts in the LOGIN pause',
      request: jsonBody(AgentLoginRequest),
      responses: {
        200: json(AgentLoginResponse, 'logged in'),
        401: errors[401],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => {
      const { dialerUser, password } = c.req.valid('json');
      const status = sessions.login(c.var.orgId, dialerUser, password);
      const sip = {
        username: dialerUser,
        domain: sipDomain,
        websocketPath: '/sip',
        password: sessions.issueSipSecret(c.var.orgId, dialerUser),
      };
      return c.json({ status, sip }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'One agent with their state',
      request: userParam,
      responses: { 200: json(AgentWithStatus, 'the agent'), 401: errors[401], 404: errors[404] },
    }),
    (c) => c.json(withStatus(c.var.orgId, c.req.valid('param').dialerUser), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'Changes an agent’s name, extension or password',
      request: { ...userParam, ...jsonBody(DialerAgentUpdate) },
      responses: { 200: json(AgentWithStatus, 'updated'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const user = c.req.valid('param').dialerUser;
      orgs.updateAgent(c.var.orgId, user, c.req.valid('json'));
      return c.json(withStatus(c.var.orgId, user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'Removes a logged-out agent',
      request: userParam,
      responses: { 200: json(Ok, 'removed'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      orgs.deleteAgent(c.var.orgId, c.req.valid('param').dialerUser);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/agents/{dialerUser}/status',
      tags,
      summary: 'The agent’s state, pause and pending pause',
      request: userParam,
      responses: { 200: json(AgentStatus, 'the state'), 401: errors[401], 404: errors[404] },
    }),
    (c) => c.json(sessions.status(c.var.orgId, c.req.valid('param').dialerUser), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents/{dialerUser}/logout',
      tags,
      summary: 'Logs the agent out; a call they are on ends and still takes its disposition',
      request: userParam,
      responses: { 200: json(AgentStatus, 'logged out'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { orgId } = c.var;
      const user = c.req.valid('param').dialerUser;
      flow.agentLoggingOut(orgId, user);
      sessions.apply(orgId, user, { type: 'logout' });
      return c.json(sessions.status(orgId, user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents/{dialerUser}/available',
      tags,
      summary: 'Makes a paused agent available for calls',
      request: userParam,
      responses: { 200: json(AgentStatus, 'available'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { orgId } = c.var;
      const user = c.req.valid('param').dialerUser;
      sessions.apply(orgId, user, { type: 'available' });
      flow.dispatch(orgId);
      return c.json(sessions.status(orgId, user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents/{dialerUser}/pause',
      tags,
      summary: 'Pauses the agent with an idStatus; during a call or wrap-up the pause waits for the disposition (202)',
      request: { ...userParam, ...jsonBody(PauseRequest) },
      responses: {
        200: json(PauseResponse, 'paused'),
        202: json(PauseResponse, 'deferred until the disposition'),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => {
      const { orgId } = c.var;
      const user = c.req.valid('param').dialerUser;
      const { idStatus } = c.req.valid('json');
      const pause = orgs.pause(orgId, idStatus);
      if (!pause || pause.system) throw orgs.unknownPause(orgId, idStatus);
      const t = sessions.apply(orgId, user, { type: 'pause', idStatus });
      const body = { status: sessions.status(orgId, user), deferred: t.deferred };
      return t.deferred ? c.json(body, 202) : c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/agents/{dialerUser}/unpause',
      tags,
      summary: 'Ends the pause (or cancels a pending one)',
      request: userParam,
      responses: { 200: json(AgentStatus, 'unpaused'), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    (c) => {
      const { orgId } = c.var;
      const user = c.req.valid('param').dialerUser;
      sessions.apply(orgId, user, { type: 'unpause' });
      flow.dispatch(orgId);
      return c.json(sessions.status(orgId, user), 200);
    },
  );

  return app;
}
