import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { organizationRow } from '../organizations/scope.ts';
import { parseOrThrow } from '../validation/parse.ts';
import { type Service, ServiceInput, ServiceUpdate } from './schemas.ts';

type ServiceRow = { id: string; org_id: string; name: string; identifier: string };
const service = (r: ServiceRow): Service => ({ id: r.id, orgId: r.org_id, name: r.name, identifier: r.identifier });

/** 422 SERVICE_UNKNOWN unless every id is a service of the organization (users and tags link to services). */
export function assertServices(db: Db, orgId: string, serviceIds: readonly string[], path: string): void {
  const q = db.prepare('SELECT 1 FROM services WHERE id = ? AND org_id = ?');
  const unknown = serviceIds.filter((id) => q.get(id, orgId) === undefined);
  if (unknown.length > 0)
    throw new AppError(
      'SERVICE_UNKNOWN',
      422,
      `${path}: no service ${unknown.map((u) => `'${u}'`).join(', ')} in this organization`,
      { path, serviceIds: unknown },
    );
}

/**
 * Services (Serviço / Fila). An AGV service has the AGV's extension (ramal) as identifier and receives the transfers
 * from that AGV, so an identifier names one service of the organization (409 SERVICE_EXISTS).
 */
export class Services {
  constructor(private readonly db: Db) {}

  create(orgId: string, input: z.input<typeof ServiceInput>): Service {
    const p = parseOrThrow(ServiceInput, input);
    return this.db.transaction(() => {
      organizationRow(this.db, orgId);
      this.#assertIdentifierFree(orgId, p.identifier);
      const id = randomUUID();
      this.db
        .prepare('INSERT INTO services (id, org_id, name, identifier) VALUES (?, ?, ?, ?)')
        .run(id, orgId, p.name, p.identifier);
      return this.get(orgId, id);
    })();
  }

  list(orgId: string): Service[] {
    organizationRow(this.db, orgId);
    const rows = this.db
      .prepare('SELECT * FROM services WHERE org_id = ? ORDER BY identifier')
      .all(orgId) as ServiceRow[];
    return rows.map(service);
  }

  get(orgId: string, serviceId: string): Service {
    return service(this.#row(orgId, serviceId));
  }

  exists(orgId: string, serviceId: string): boolean {
    return this.db.prepare('SELECT 1 FROM services WHERE id = ? AND org_id = ?').get(serviceId, orgId) !== undefined;
  }

  /** The service whose identifier is `identifier`: for an AGV transfer, the AGV's extension (ramal). */
  byIdentifier(orgId: string, identifier: string): Service | undefined {
    const row = this.db.prepare('SELECT * FROM services WHERE org_id = ? AND identifier = ?').get(orgId, identifier) as
      | ServiceRow
      | undefined;
    return row && service(row);
  }

  update(orgId: string, serviceId: string, patch: z.input<typeof ServiceUpdate>): Service {
    const p = parseOrThrow(ServiceUpdate, patch);
    return this.db.transaction(() => {
      const row = this.#row(orgId, serviceId);
      const identifier = p.identifier ?? row.identifier;
      if (identifier !== row.identifier) this.#assertIdentifierFree(orgId, identifier);
      this.db
        .prepare('UPDATE services SET name = ?, identifier = ? WHERE id = ?')
        .run(p.name ?? row.name, identifier, serviceId);
      return this.get(orgId, serviceId);
    })();
  }

  /** Also unlinks the service from its users and tags. */
  delete(orgId: string, serviceId: string): void {
    this.#row(orgId, serviceId);
    this.db.prepare('DELETE FROM services WHERE id = ?').run(serviceId);
  }

  #row(orgId: string, serviceId: string): ServiceRow {
    organizationRow(this.db, orgId);
    const row = this.db.prepare('SELECT * FROM services WHERE id = ? AND org_id = ?').get(serviceId, orgId) as
      | ServiceRow
      | undefined;
    if (!row) throw notFound('Service', serviceId, 'SERVICE_NOT_FOUND');
    return row;
  }

  #assertIdentifierFree(orgId: string, identifier: string): void {
    const other = this.byIdentifier(orgId, identifier);
    if (other)
      throw new AppError(
        'SERVICE_EXISTS',
        409,
        `service '${other.name}' already has the identifier '${identifier}'; an identifier (an AGV's ramal) names one service`,
        { identifier, serviceId: other.id },
      );
  }
}
