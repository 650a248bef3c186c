import { z } from '@hono/zod-openapi';
import { defineRoute, json, jsonBody, Ok } from '../../../core/http/openapi.ts';
import { AgentLoginRequest, AgentLoginResponse, AgentStatus, PauseRequest, PauseResponse } from '../../agents.ts';
import { DialerAgent, DialerAgentInput, DialerAgentUpdate, DialerUser } from '../../organizations.ts';

const tags = ['Agents'];
export const AgentWithStatus = DialerAgent.extend({ status: AgentStatus }).openapi('AgentWithStatus');
const userParam = { params: z.object({ dialerUser: DialerUser }) };

/** Agents: their dialer accounts (user + password) and their sessions (login, pauses, availability). */
export const agentRoutes = {
  'agents.list': defineRoute({
    operationId: 'agents.list',
    method: 'get',
    path: '/agents',
    tags,
    summary: 'Agents with their current state',
    responses: { 200: json(z.array(AgentWithStatus), 'the agents') },
  }),
  'agents.create': defineRoute(
    {
      operationId: 'agents.create',
      method: 'post',
      path: '/agents',
      tags,
      summary: 'Creates an agent account (dialer user + password); the password is never returned',
      request: jsonBody(DialerAgentInput),
      responses: { 201: json(AgentWithStatus, 'created') },
    },
    { errors: [409] },
  ),
  'agents.login': defineRoute(
    {
      operationId: 'agents.login',
      method: 'post',
      path: '/agents/login',
      tags,
      summary:
        'Logs an agent in with dialer user + password (the agent starts in the LOGIN pause); a wrong user or ' +
        'password is 401 AGENT_CREDENTIALS_INVALID',
      request: jsonBody(AgentLoginRequest),
      responses: { 200: json(AgentLoginResponse, 'logged in, with the softphone’s SIP account') },
    },
    { errors: [409] },
  ),
  'agents.get': defineRoute(
    {
      operationId: 'agents.get',
      method: 'get',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'One agent with their state',
      request: userParam,
      responses: { 200: json(AgentWithStatus, 'the agent') },
    },
    { errors: [404] },
  ),
  'agents.update': defineRoute(
    {
      operationId: 'agents.update',
      method: 'patch',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'Changes an agent’s name, extension or password',
      request: { ...userParam, ...jsonBody(DialerAgentUpdate) },
      responses: { 200: json(AgentWithStatus, 'updated') },
    },
    { errors: [404, 409] },
  ),
  'agents.delete': defineRoute(
    {
      operationId: 'agents.delete',
      method: 'delete',
      path: '/agents/{dialerUser}',
      tags,
      summary: 'Removes a logged-out agent',
      request: userParam,
      responses: { 200: json(Ok, 'removed') },
    },
    { errors: [404, 409] },
  ),
  'agents.status': defineRoute(
    {
      operationId: 'agents.status',
      method: 'get',
      path: '/agents/{dialerUser}/status',
      tags,
      summary: 'The agent’s state, pause and pending pause',
      request: userParam,
      responses: { 200: json(AgentStatus, 'the state') },
    },
    { errors: [404] },
  ),
  'agents.logout': defineRoute(
    {
      operationId: 'agents.logout',
      method: 'post',
      path: '/agents/{dialerUser}/logout',
      tags,
      summary: 'Logs the agent out; a call they are on ends and still takes its disposition',
      request: userParam,
      responses: { 200: json(AgentStatus, 'logged out') },
    },
    { errors: [404, 409] },
  ),
  'agents.available': defineRoute(
    {
      operationId: 'agents.available',
      method: 'post',
      path: '/agents/{dialerUser}/available',
      tags,
      summary: 'Makes a paused agent available for calls',
      request: userParam,
      responses: { 200: json(AgentStatus, 'available') },
    },
    { errors: [404, 409] },
  ),
  'agents.pause': defineRoute(
    {
      operationId: 'agents.pause',
      method: 'post',
      path: '/agents/{dialerUser}/pause',
      tags,
      summary:
        'Pauses the agent with an idStatus; during a call or wrap-up the pause waits for the disposition (202). ' +
        'An idStatus not in the catalogue (or a system one) is PAUSE_UNKNOWN (422), listing the valid ones',
      request: { ...userParam, ...jsonBody(PauseRequest) },
      responses: {
        200: json(PauseResponse, 'paused'),
        202: json(PauseResponse, 'deferred until the disposition'),
      },
    },
    { errors: [404, 409] },
  ),
  'agents.unpause': defineRoute(
    {
      operationId: 'agents.unpause',
      method: 'post',
      path: '/agents/{dialerUser}/unpause',
      tags,
      summary: 'Ends the pause (or cancels a pending one)',
      request: userParam,
      responses: { 200: json(AgentStatus, 'unpaused') },
    },
    { errors: [404, 409] },
  ),
};
