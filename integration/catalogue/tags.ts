import { randomUUID } from 'node:crypto';
import type { z } from '@hono/zod-openapi';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { organizationRow } from '../organizations/scope.ts';
import { autoTagCode, followTagRename } from '../organizations/tabulation.ts';
import { parseOrThrow } from '../validation/parse.ts';
import { type Tag, TagInput, TagUpdate } from './schemas.ts';
import { assertServices } from './services.ts';

type TagRow = { id: string; org_id: string; code: string; name: string };

/**
 * Tags (tabulations): the outcome an attendance is finalized with; the dialer receives the code as the call's
 * disposition. A tag linked to no service is offered in every service. The auto-tabulation tag (the organization's
 * tabulation settings name it by code) follows a rename and cannot be deleted (409 TAG_IN_USE).
 */
export class Tags {
  constructor(private readonly db: Db) {}

  create(orgId: string, input: z.input<typeof TagInput>): Tag {
    const p = parseOrThrow(TagInput, input);
    return this.db.transaction(() => {
      organizationRow(this.db, orgId);
      this.#assertCodeFree(orgId, p.code);
      assertServices(this.db, orgId, p.serviceIds, 'serviceIds');
      const id = randomUUID();
      this.db.prepare('INSERT INTO tags (id, org_id, code, name) VALUES (?, ?, ?, ?)').run(id, orgId, p.code, p.name);
      this.#setServices(id, p.serviceIds);
      return this.get(orgId, id);
    })();
  }

  list(orgId: string): Tag[] {
    organizationRow(this.db, orgId);
    const rows = this.db.prepare('SELECT * FROM tags WHERE org_id = ? ORDER BY code').all(orgId) as TagRow[];
    return rows.map((r) => this.#tag(r));
  }

  get(orgId: string, tagId: string): Tag {
    return this.#tag(this.#row(orgId, tagId));
  }

  byCode(orgId: string, code: string): Tag | undefined {
    const row = this.db.prepare('SELECT * FROM tags WHERE org_id = ? AND code = ?').get(orgId, code) as
      | TagRow
      | undefined;
    return row && this.#tag(row);
  }

  /** The tags an attendance of this service may be finalized with: those linked to it and those linked to none. */
  forService(orgId: string, serviceId: string): Tag[] {
    return this.list(orgId).filter((t) => t.serviceIds.length === 0 || t.serviceIds.includes(serviceId));
  }

  /** Renaming the code of the auto-tabulation tag updates the tabulation settings too. */
  update(orgId: string, tagId: string, patch: z.input<typeof TagUpdate>): Tag {
    const p = parseOrThrow(TagUpdate, patch);
    return this.db.transaction(() => {
      const row = this.#row(orgId, tagId);
      const code = p.code ?? row.code;
      if (code !== row.code) {
        this.#assertCodeFree(orgId, code);
        followTagRename(this.db, orgId, row.code, code);
      }
      if (p.serviceIds) assertServices(this.db, orgId, p.serviceIds, 'serviceIds');
      this.db.prepare('UPDATE tags SET code = ?, name = ? WHERE id = ?').run(code, p.name ?? row.name, tagId);
      if (p.serviceIds) this.#setServices(tagId, p.serviceIds);
      return this.get(orgId, tagId);
    })();
  }

  /** 409 TAG_IN_USE for the auto-tabulation tag. */
  delete(orgId: string, tagId: string): void {
    const row = this.#row(orgId, tagId);
    if (autoTagCode(this.db, orgId) === row.code)
      throw new AppError(
        'TAG_IN_USE',
        409,
        `tag '${row.code}' is the auto-tabulation tag; choose another one in the tabulation settings first`,
        { code: row.code },
      );
    this.db.prepare('DELETE FROM tags WHERE id = ?').run(tagId);
  }

  #row(orgId: string, tagId: string): TagRow {
    organizationRow(this.db, orgId);
    const row = this.db.prepare('SELECT * FROM tags WHERE id = ? AND org_id = ?').get(tagId, orgId) as
      | TagRow
      | undefined;
    if (!row) throw notFound('Tag', tagId, 'TAG_NOT_FOUND');
    return row;
  }

  #tag(row: TagRow): Tag {
    const serviceIds = (
      this.db
        .prepare(
          'SELECT s.id FROM tag_services ts JOIN services s ON s.id = ts.service_id WHERE ts.tag_id = ? ORDER BY s.identifier',
        )
        .all(row.id) as Array<{ id: string }>
    ).map((r) => r.id);
    return { id: row.id, orgId: row.org_id, code: row.code, name: row.name, serviceIds };
  }

  #setServices(tagId: string, serviceIds: readonly string[]): void {
    this.db.prepare('DELETE FROM tag_services WHERE tag_id = ?').run(tagId);
    const ins = this.db.prepare('INSERT OR IGNORE INTO tag_services (tag_id, service_id) VALUES (?, ?)');
    for (const s of serviceIds) ins.run(tagId, s);
  }

  #assertCodeFree(orgId: string, code: string): void {
    const other = this.byCode(orgId, code);
    if (other)
      throw new AppError('TAG_EXISTS', 409, `a tag with code '${code}' already exists`, { code, tagId: other.id });
  }
}
