import type { PauseEntry } from '../../contract/organizations.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';

/** The pause every Discador DS puts an agent in right after login; it is the dialer's, never an Omni pause. */
export const LOGIN_PAUSE_NAME = 'LOGIN';

export type SystemPause = { idStatus: number; name: string; learnedFrom: 'catalogue' | 'event'; learnedAt: string };

type Row = { id_status: number; name: string; learned_from: SystemPause['learnedFrom']; learned_at: number };

/**
 * The dialer's system pauses (LOGIN…), which Omni must not register as its own pauses (agents cannot request them)
 * but must name wherever the dialer reports them: presence, the pauses report. Omni learns them per organization:
 * - from the dialer's catalogue, each time the drift check reads it (the catalogue is the truth: what it lists as
 *   system replaces what Omni knew);
 * - from the dialer's events, for LOGIN only: every DS dialer has it and names it in the agent's state, so its ID
 *   Status is known from the first login even if no one ever ran a drift check.
 * Omni never guesses an ID Status: until one of these says so, a pause it cannot map stays "não mapeada".
 */
export class SystemPauses {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Replaces the organization's system pauses with the catalogue's. */
  learnFromCatalogue(orgId: string, catalogue: readonly PauseEntry[]): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM system_pauses WHERE org_id = ?').run(orgId);
      const ins = this.db.prepare(
        "INSERT INTO system_pauses (org_id, id_status, name, learned_from, learned_at) VALUES (?, ?, ?, 'catalogue', ?)",
      );
      for (const e of catalogue) if (e.system) ins.run(orgId, e.idStatus, e.name, now);
    })();
  }

  /**
   * The dialer reported an agent paused with `idStatus` named `pauseName`, which no Omni pause maps. Remembered when
   * it is LOGIN (the one system pause every DS dialer has); returns whether it is a known system pause now.
   */
  learnFromEvent(orgId: string, idStatus: number, pauseName: string | null): boolean {
    if (pauseName === LOGIN_PAUSE_NAME) {
      const known = this.nameOf(orgId, idStatus);
      if (known !== LOGIN_PAUSE_NAME)
        this.db
          .prepare(
            `INSERT INTO system_pauses (org_id, id_status, name, learned_from, learned_at) VALUES (?, ?, ?, 'event', ?)
             ON CONFLICT (org_id, id_status) DO UPDATE SET name = excluded.name, learned_from = 'event',
               learned_at = excluded.learned_at`,
          )
          .run(orgId, idStatus, pauseName, this.clock.now());
      return true;
    }
    return this.nameOf(orgId, idStatus) !== undefined;
  }

  nameOf(orgId: string, idStatus: number): string | undefined {
    const row = this.db
      .prepare('SELECT name FROM system_pauses WHERE org_id = ? AND id_status = ?')
      .get(orgId, idStatus) as { name: string } | undefined;
    return row?.name;
  }

  list(orgId: string): SystemPause[] {
    const rows = this.db.prepare('SELECT * FROM system_pauses WHERE org_id = ? ORDER BY id_status').all(orgId) as Row[];
    return rows.map((r) => ({
      idStatus: r.id_status,
      name: r.name,
      learnedFrom: r.learned_from,
      learnedAt: new Date(r.learned_at).toISOString(),
    }));
  }
}
