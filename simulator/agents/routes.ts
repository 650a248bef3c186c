import { agentRoutes as routes } from '../../contract/dialer/routes/agents.ts';
import type { CallFlow } from '../calls/call-flow.ts';
import { dialerRouter } from '../http/app.ts';
import type { OrganizationRepository } from '../organizations/repository.ts';
import type { AgentSessions } from './sessions.ts';

/** Agents: their dialer accounts (user + password) and their sessions (login, pauses, availability). */
export function agentRoutes(orgs: OrganizationRepository, sessions: AgentSessions, flow: CallFlow, sipDomain: string) {
  const app = dialerRouter();
  const withStatus = (orgId: string, user: string) => ({
    ...orgs.agent(orgId, user),
    status: sessions.status(orgId, user),
  });

  app.openapi(routes['agents.list'], (c) =>
    c.json(
      orgs.agents(c.var.orgId).map((a) => withStatus(c.var.orgId, a.dialerUser)),
      200,
    ),
  );

  app.openapi(routes['agents.create'], (c) => {
    const a = orgs.createAgent(c.var.orgId, c.req.valid('json'));
    return c.json(withStatus(c.var.orgId, a.dialerUser), 201);
  });

  app.openapi(routes['agents.login'], (c) => {
    const { dialerUser, password } = c.req.valid('json');
    const status = sessions.login(c.var.orgId, dialerUser, password);
    const sip = {
      username: dialerUser,
      domain: sipDomain,
      websocketPath: '/sip',
      password: sessions.issueSipSecret(c.var.orgId, dialerUser),
    };
    return c.json({ status, sip }, 200);
  });

  app.openapi(routes['agents.get'], (c) => c.json(withStatus(c.var.orgId, c.req.valid('param').dialerUser), 200));

  app.openapi(routes['agents.update'], (c) => {
    const user = c.req.valid('param').dialerUser;
    orgs.updateAgent(c.var.orgId, user, c.req.valid('json'));
    return c.json(withStatus(c.var.orgId, user), 200);
  });

  app.openapi(routes['agents.delete'], (c) => {
    orgs.deleteAgent(c.var.orgId, c.req.valid('param').dialerUser);
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(routes['agents.status'], (c) =>
    c.json(sessions.status(c.var.orgId, c.req.valid('param').dialerUser), 200),
  );

  app.openapi(routes['agents.logout'], (c) => {
    const { orgId } = c.var;
    const user = c.req.valid('param').dialerUser;
    flow.agentLoggingOut(orgId, user);
    sessions.apply(orgId, user, { type: 'logout' });
    return c.json(sessions.status(orgId, user), 200);
  });

  app.openapi(routes['agents.available'], (c) => {
    const { orgId } = c.var;
    const user = c.req.valid('param').dialerUser;
    sessions.apply(orgId, user, { type: 'available' });
    flow.dispatch(orgId);
    return c.json(sessions.status(orgId, user), 200);
  });

  app.openapi(routes['agents.pause'], (c) => {
    const { orgId } = c.var;
    const user = c.req.valid('param').dialerUser;
    const { idStatus } = c.req.valid('json');
    const pause = orgs.pause(orgId, idStatus);
    if (!pause || pause.system) throw orgs.unknownPause(orgId, idStatus);
    const t = sessions.apply(orgId, user, { type: 'pause', idStatus });
    const body = { status: sessions.status(orgId, user), deferred: t.deferred };
    return t.deferred ? c.json(body, 202) : c.json(body, 200);
  });

  app.openapi(routes['agents.unpause'], (c) => {
    const { orgId } = c.var;
    const user = c.req.valid('param').dialerUser;
    sessions.apply(orgId, user, { type: 'unpause' });
    flow.dispatch(orgId);
    return c.json(sessions.status(orgId, user), 200);
  });

  return app;
}
