import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { organizationRow } from '../organizations/scope.ts';
import { parseOrThrow } from '../validation/parse.ts';
import { type Pause, PauseInput, PauseUpdate } from './schemas.ts';

type PauseRow = { id: string; org_id: string; name: string; id_status: number };
const pause = (r: PauseRow): Pause => ({ id: r.id, orgId: r.org_id, name: r.name, idStatus: r.id_status });

/**
 * Omni's pauses (Cadastro de Pausas): each with a name exactly the dialer's and the dialer's ID Status, both unique in
 * the organization (409 PAUSE_DUPLICATE). The dialer's system pauses (LOGIN…) are not here: see SystemPauses.
 */
export class Pauses {
  constructor(private readonly db: Db) {}

  create(orgId: string, input: z.input<typeof PauseInput>): Pause {
    const p = parseOrThrow(PauseInput, input);
    return this.db.transaction(() => {
      organizationRow(this.db, orgId);
      this.#assertFree(orgId, p, undefined);
      const id = randomUUID();
      this.db
        .prepare('INSERT INTO pauses (id, org_id, name, id_status) VALUES (?, ?, ?, ?)')
        .run(id, orgId, p.name, p.idStatus);
      return this.get(orgId, id);
    })();
  }

  list(orgId: string): Pause[] {
    organizationRow(this.db, orgId);
    const rows = this.db.prepare('SELECT * FROM pauses WHERE org_id = ? ORDER BY id_status').all(orgId) as PauseRow[];
    return rows.map(pause);
  }

  get(orgId: string, pauseId: string): Pause {
    return pause(this.#row(orgId, pauseId));
  }

  /** Omni's pause for a dialer ID Status; undefined when Omni has none (report it, never guess). */
  byIdStatus(orgId: string, idStatus: number): Pause | undefined {
    const row = this.db.prepare('SELECT * FROM pauses WHERE org_id = ? AND id_status = ?').get(orgId, idStatus) as
      | PauseRow
      | undefined;
    return row && pause(row);
  }

  /** By exact name: "Banheiro " is not "Banheiro". */
  byName(orgId: string, name: string): Pause | undefined {
    const row = this.db.prepare('SELECT * FROM pauses WHERE org_id = ? AND name = ?').get(orgId, name) as
      | PauseRow
      | undefined;
    return row && pause(row);
  }

  update(orgId: string, pauseId: string, patch: z.input<typeof PauseUpdate>): Pause {
    const p = parseOrThrow(PauseUpdate, patch);
    return this.db.transaction(() => {
      const row = this.#row(orgId, pauseId);
      const next = { name: p.name ?? row.name, idStatus: p.idStatus ?? row.id_status };
      this.#assertFree(orgId, next, pauseId);
      this.db.prepare('UPDATE pauses SET name = ?, id_status = ? WHERE id = ?').run(next.name, next.idStatus, pauseId);
      return this.get(orgId, pauseId);
    })();
  }

  /**
   * Gives several pauses new ID Statuses at once, so that two pauses can swap theirs. 409 PAUSE_DUPLICATE when a
   * pause outside the set holds one of the new values.
   */
  reassignIdStatuses(orgId: string, moves: ReadonlyArray<{ pauseId: string; idStatus: number }>): void {
    this.db.transaction(() => {
      moves.forEach((m, i) => {
        this.#row(orgId, m.pauseId);
        this.db.prepare('UPDATE pauses SET id_status = ? WHERE id = ?').run(-1 - i, m.pauseId);
      });
      for (const m of moves) {
        const p = parseOrThrow(PauseUpdate, { idStatus: m.idStatus });
        const holder = this.byIdStatus(orgId, p.idStatus!);
        if (holder) throw duplicate('idStatus', holder);
        this.db.prepare('UPDATE pauses SET id_status = ? WHERE id = ?').run(p.idStatus, m.pauseId);
      }
    })();
  }

  delete(orgId: string, pauseId: string): void {
    this.#row(orgId, pauseId);
    this.db.prepare('DELETE FROM pauses WHERE id = ?').run(pauseId);
  }

  #row(orgId: string, pauseId: string): PauseRow {
    organizationRow(this.db, orgId);
    const row = this.db.prepare('SELECT * FROM pauses WHERE id = ? AND org_id = ?').get(pauseId, orgId) as
      | PauseRow
      | undefined;
    if (!row) throw notFound('Pause', pauseId, 'PAUSE_NOT_FOUND');
    return row;
  }

  #assertFree(orgId: string, p: { name: string; idStatus: number }, exceptId: string | undefined): void {
    const byName = this.byName(orgId, p.name);
    if (byName && byName.id !== exceptId) throw duplicate('name', byName);
    const byId = this.byIdStatus(orgId, p.idStatus);
    if (byId && byId.id !== exceptId) throw duplicate('idStatus', byId);
  }
}

function duplicate(field: 'name' | 'idStatus', existing: Pause): AppError {
  const what = field === 'name' ? `the name '${existing.name}'` : `the ID Status ${existing.idStatus}`;
  return new AppError('PAUSE_DUPLICATE', 409, `pause '${existing.name}' already has ${what}`, {
    field,
    existing: { id: existing.id, name: existing.name, idStatus: existing.idStatus },
  });
}
