import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Agv, DialerAgent, Organization, OrganizationInput, PauseEntry } from '../../contract/organizations.ts';
import { DEFAULT_PAUSE_CATALOGUE } from '../../contract/organizations.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { SecretBox } from '../../core/secrets.ts';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
export const newDialerKey = () => `dsk_${randomBytes(24).toString('base64url')}`;

type AgentRow = { dialer_user: string; name: string; extension: string | null };
type AgvRow = { extension: string; name: string; action: 'transfer' | 'hangup'; hold_seconds: number };
type PauseRow = { id_status: number; name: string; system: number };

const agentFromRow = (r: AgentRow): DialerAgent => ({
  dialerUser: r.dialer_user,
  name: r.name,
  ...(r.extension ? { extension: r.extension } : {}),
});
const agvFromRow = (r: AgvRow): Agv => ({
  extension: r.extension,
  name: r.name,
  behaviour: { action: r.action, holdSeconds: r.hold_seconds },
});
const pauseFromRow = (r: PauseRow): PauseEntry => ({ idStatus: r.id_status, name: r.name, system: r.system === 1 });

/** LOGIN is where the dialer puts an agent after login; every catalogue has it. */
function withLoginPause(pauses: PauseEntry[]): PauseEntry[] {
  if (pauses.some((p) => p.system && p.name === 'LOGIN')) return pauses;
  const used = new Set(pauses.map((p) => p.idStatus));
  let id = 1;
  while (used.has(id)) id++;
  return [{ idStatus: id, name: 'LOGIN', system: true }, ...pauses];
}

function checkCatalogue(pauses: PauseEntry[]): void {
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const p of pauses) {
    if (ids.has(p.idStatus))
      throw new AppError('PAUSE_DUPLICATE', 409, `idStatus ${p.idStatus} appears twice`, { idStatus: p.idStatus });
    if (names.has(p.name))
      throw new AppError('PAUSE_DUPLICATE', 409, `pause name '${p.name}' appears twice`, { name: p.name });
    ids.add(p.idStatus);
    names.add(p.name);
  }
}

/** Organizations and their dialer-side configuration: key, pause catalogue, AGVs, agents. */
export class OrganizationRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  create(input: OrganizationInput): { organization: Organization; key: string } {
    const id = input.id ?? randomUUID();
    const key = input.key ?? newDialerKey();
    if (this.exists(id)) throw new AppError('ORGANIZATION_EXISTS', 409, `organization '${id}' already exists`, { id });
    if (this.db.prepare('SELECT 1 FROM organizations WHERE key_hash = ?').get(hashKey(key)))
      throw new AppError('DIALER_KEY_IN_USE', 409, 'another organization already uses this dialer key');
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO organizations (id, name, key_hash, key_sealed, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, input.name, hashKey(key), this.secrets.seal(key), this.clock.now());
      this.replacePauses(id, input.pauses ?? DEFAULT_PAUSE_CATALOGUE);
      for (const agv of input.agvs ?? []) this.putAgv(id, agv);
      for (const a of input.agents ?? []) this.createAgent(id, a);
    })();
    return { organization: this.get(id), key };
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM organizations WHERE id = ?').get(id) !== undefined;
  }

  /** The organization a dialer key belongs to. */
  authenticate(key: string): string | undefined {
    const row = this.db.prepare('SELECT id FROM organizations WHERE key_hash = ?').get(hashKey(key)) as
      | { id: string }
      | undefined;
    return row?.id;
  }

  revealKey(id: string): string {
    const row = this.db.prepare('SELECT key_sealed FROM organizations WHERE id = ?').get(id) as
      | { key_sealed: string }
      | undefined;
    if (!row) throw notFound('Organization', id, 'ORGANIZATION_NOT_FOUND');
    return this.secrets.open(row.key_sealed);
  }

  rotateKey(id: string): string {
    const key = newDialerKey();
    this.db
      .prepare('UPDATE organizations SET key_hash = ?, key_sealed = ? WHERE id = ?')
      .run(hashKey(key), this.secrets.seal(key), id);
    return key;
  }

  list(): Array<{ id: string; name: string }> {
    return this.db.prepare('SELECT id, name FROM organizations ORDER BY created_at, id').all() as Array<{
      id: string;
      name: string;
    }>;
  }

  get(id: string): Organization {
    const row = this.db.prepare('SELECT id, name, created_at FROM organizations WHERE id = ?').get(id) as
      | { id: string; name: string; created_at: number }
      | undefined;
    if (!row) throw notFound('Organization', id, 'ORGANIZATION_NOT_FOUND');
    return {
      id: row.id,
      name: row.name,
      pauses: this.pauses(id),
      agvs: this.agvs(id),
      agents: this.agents(id),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  delete(id: string): void {
    this.db.transaction(() => {
      for (const t of ['events', 'dispositions', 'calls']) this.db.prepare(`DELETE FROM ${t} WHERE org_id = ?`).run(id);
      this.db.prepare('DELETE FROM organizations WHERE id = ?').run(id);
    })();
  }

  // --- pause catalogue ---

  pauses(orgId: string): PauseEntry[] {
    return (this.db.prepare('SELECT * FROM pauses WHERE org_id = ? ORDER BY id_status').all(orgId) as PauseRow[]).map(
      pauseFromRow,
    );
  }

  pause(orgId: string, idStatus: number): PauseEntry | undefined {
    const row = this.db.prepare('SELECT * FROM pauses WHERE org_id = ? AND id_status = ?').get(orgId, idStatus) as
      | PauseRow
      | undefined;
    return row && pauseFromRow(row);
  }

  loginPause(orgId: string): PauseEntry {
    const row = this.db.prepare("SELECT * FROM pauses WHERE org_id = ? AND system = 1 AND name = 'LOGIN'").get(orgId) as
      | PauseRow
      | undefined;
    if (!row) throw new AppError('PAUSE_CATALOGUE_BROKEN', 500, `organization '${orgId}' has no LOGIN pause`);
    return pauseFromRow(row);
  }

  replacePauses(orgId: string, pauses: PauseEntry[]): PauseEntry[] {
    const all = withLoginPause(pauses);
    checkCatalogue(all);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM pauses WHERE org_id = ?').run(orgId);
      const ins = this.db.prepare('INSERT INTO pauses (org_id, id_status, name, system) VALUES (?, ?, ?, ?)');
      for (const p of all) ins.run(orgId, p.idStatus, p.name, p.system ? 1 : 0);
    })();
    return this.pauses(orgId);
  }

  addPause(orgId: string, pause: PauseEntry): PauseEntry {
    checkCatalogue([...this.pauses(orgId), pause]);
    this.db
      .prepare('INSERT INTO pauses (org_id, id_status, name, system) VALUES (?, ?, ?, ?)')
      .run(orgId, pause.idStatus, pause.name, pause.system ? 1 : 0);
    return pause;
  }

  deletePause(orgId: string, idStatus: number): void {
    const p = this.pause(orgId, idStatus);
    if (!p) throw this.unknownPause(orgId, idStatus);
    if (p.system && p.name === 'LOGIN')
      throw new AppError('PAUSE_SYSTEM', 409, 'the LOGIN pause belongs to the dialer and cannot be removed');
    this.db.prepare('DELETE FROM pauses WHERE org_id = ? AND id_status = ?').run(orgId, idStatus);
  }

  unknownPause(orgId: string, idStatus: number): AppError {
    const valid = this.pauses(orgId)
      .filter((p) => !p.system)
      .map((p) => ({ idStatus: p.idStatus, name: p.name }));
    return new AppError(
      'PAUSE_UNKNOWN',
      422,
      `idStatus ${idStatus} is not in this organization's pause catalogue; use one of ${valid.map((p) => `${p.idStatus} (${p.name})`).join(', ')}`,
      { idStatus, valid },
    );
  }

  // --- AGVs ---

  agvs(orgId: string): Agv[] {
    return (this.db.prepare('SELECT * FROM agvs WHERE org_id = ? ORDER BY extension').all(orgId) as AgvRow[]).map(
      agvFromRow,
    );
  }

  agv(orgId: string, extension: string): Agv | undefined {
    const row = this.db.prepare('SELECT * FROM agvs WHERE org_id = ? AND extension = ?').get(orgId, extension) as
      | AgvRow
      | undefined;
    return row && agvFromRow(row);
  }

  putAgv(orgId: string, agv: Agv): Agv {
    const taken = this.db
      .prepare('SELECT dialer_user FROM agents WHERE org_id = ? AND extension = ?')
      .get(orgId, agv.extension) as { dialer_user: string } | undefined;
    if (taken)
      throw new AppError('EXTENSION_IN_USE', 409, `extension ${agv.extension} belongs to agent '${taken.dialer_user}'`);
    this.db
      .prepare(
        `INSERT INTO agvs (org_id, extension, name, action, hold_seconds) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, extension) DO UPDATE SET name = excluded.name, action = excluded.action, hold_seconds = excluded.hold_seconds`,
      )
      .run(orgId, agv.extension, agv.name, agv.behaviour.action, agv.behaviour.holdSeconds);
    return agv;
  }

  deleteAgv(orgId: string, extension: string): void {
    const res = this.db.prepare('DELETE FROM agvs WHERE org_id = ? AND extension = ?').run(orgId, extension);
    if (res.changes === 0) throw notFound('AGV', extension, 'AGV_NOT_FOUND');
  }

  // --- agents ---

  agents(orgId: string): DialerAgent[] {
    return (
      this.db
        .prepare('SELECT dialer_user, name, extension FROM agents WHERE org_id = ? ORDER BY dialer_user')
        .all(orgId) as AgentRow[]
    ).map(agentFromRow);
  }

  agent(orgId: string, dialerUser: string): DialerAgent {
    const row = this.db
      .prepare('SELECT dialer_user, name, extension FROM agents WHERE org_id = ? AND dialer_user = ?')
      .get(orgId, dialerUser) as AgentRow | undefined;
    if (!row) throw notFound('Agent', dialerUser, 'AGENT_NOT_FOUND');
    return agentFromRow(row);
  }

  createAgent(orgId: string, input: DialerAgent & { password: string }): DialerAgent {
    if (this.db.prepare('SELECT 1 FROM agents WHERE org_id = ? AND dialer_user = ?').get(orgId, input.dialerUser))
      throw new AppError('AGENT_EXISTS', 409, `dialer user '${input.dialerUser}' already exists`);
    if (input.extension) this.#checkExtensionFree(orgId, input.extension, input.dialerUser);
    this.db
      .prepare(
        'INSERT INTO agents (org_id, dialer_user, name, extension, password_sealed, state_since) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        orgId,
        input.dialerUser,
        input.name,
        input.extension ?? null,
        this.secrets.seal(input.password),
        this.clock.now(),
      );
    return this.agent(orgId, input.dialerUser);
  }

  updateAgent(
    orgId: string,
    dialerUser: string,
    patch: { name?: string | undefined; extension?: string | null | undefined; password?: string | undefined },
  ): DialerAgent {
    const current = this.agent(orgId, dialerUser);
    if (patch.extension) this.#checkExtensionFree(orgId, patch.extension, dialerUser);
    this.db
      .prepare('UPDATE agents SET name = ?, extension = ? WHERE org_id = ? AND dialer_user = ?')
      .run(
        patch.name ?? current.name,
        patch.extension === undefined ? (current.extension ?? null) : patch.extension,
        orgId,
        dialerUser,
      );
    if (patch.password !== undefined)
      this.db
        .prepare('UPDATE agents SET password_sealed = ? WHERE org_id = ? AND dialer_user = ?')
        .run(this.secrets.seal(patch.password), orgId, dialerUser);
    return this.agent(orgId, dialerUser);
  }

  deleteAgent(orgId: string, dialerUser: string): void {
    const row = this.db
      .prepare('SELECT state FROM agents WHERE org_id = ? AND dialer_user = ?')
      .get(orgId, dialerUser) as { state: string } | undefined;
    if (!row) throw notFound('Agent', dialerUser, 'AGENT_NOT_FOUND');
    if (row.state !== 'logged_out')
      throw new AppError('AGENT_LOGGED_IN', 409, `agent '${dialerUser}' is logged in; log them out first`);
    this.db.prepare('DELETE FROM agents WHERE org_id = ? AND dialer_user = ?').run(orgId, dialerUser);
  }

  /** The agent's password in clear, for credential checks (and SIP digest auth). Never leaves the dialer. */
  agentPassword(orgId: string, dialerUser: string): string | undefined {
    const row = this.db
      .prepare('SELECT password_sealed FROM agents WHERE org_id = ? AND dialer_user = ?')
      .get(orgId, dialerUser) as { password_sealed: string } | undefined;
    return row && this.secrets.open(row.password_sealed);
  }

  #checkExtensionFree(orgId: string, extension: string, dialerUser: string): void {
    if (this.agv(orgId, extension)) throw new AppError('EXTENSION_IN_USE', 409, `extension ${extension} is an AGV`);
    const other = this.db
      .prepare('SELECT dialer_user FROM agents WHERE org_id = ? AND extension = ? AND dialer_user <> ?')
      .get(orgId, extension, dialerUser) as { dialer_user: string } | undefined;
    if (other)
      throw new AppError('EXTENSION_IN_USE', 409, `extension ${extension} belongs to agent '${other.dialer_user}'`);
  }
}
