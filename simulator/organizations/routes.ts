import { organizationRoutes as routes } from '../../contract/dialer/routes/organization.ts';
import { Agv } from '../../contract/organizations.ts';
import { dialerRouter } from '../http/app.ts';
import type { OrganizationRepository } from './repository.ts';

/** The organization's dialer-side configuration: pause catalogue and AGVs (agents live in agents/routes.ts). */
export function organizationRoutes(orgs: OrganizationRepository) {
  const app = dialerRouter();
  app.openapi(routes['organization.get'], (c) => c.json(orgs.get(c.var.orgId), 200));
  app.openapi(routes['pauses.list'], (c) => c.json(orgs.pauses(c.var.orgId), 200));
  app.openapi(routes['pauses.replace'], (c) => c.json(orgs.replacePauses(c.var.orgId, c.req.valid('json')), 200));
  app.openapi(routes['pauses.add'], (c) => c.json(orgs.addPause(c.var.orgId, c.req.valid('json')), 201));
  app.openapi(routes['pauses.delete'], (c) => {
    orgs.deletePause(c.var.orgId, c.req.valid('param').idStatus);
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(routes['agvs.list'], (c) => c.json(orgs.agvs(c.var.orgId), 200));
  app.openapi(routes['agvs.put'], (c) => {
    const agv = Agv.parse({ extension: c.req.valid('param').extension, ...c.req.valid('json') });
    return c.json(orgs.putAgv(c.var.orgId, agv), 200);
  });
  app.openapi(routes['agvs.delete'], (c) => {
    orgs.deleteAgv(c.var.orgId, c.req.valid('param').extension);
    return c.json({ ok: true as const }, 200);
  });
  return app;
}
