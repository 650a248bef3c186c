import type { AgentState } from '../../contract/agents.ts';
import type { DialerEventData } from '../../contract/events.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { LiveFeed } from '../monitoring/live-feed.ts';

export interface PauseCatalogue {
  pauseByIdStatus(orgId: string, idStatus: number): { id: string; name: string; idStatus: number } | undefined;
  /** Whether the dialer's pause is one of its system pauses (LOGIN…), learning LOGIN's ID Status from the event. */
  isSystemPause(orgId: string, idStatus: number, dialerName: string | null): boolean;
}

export type AgentPresence = {
  userId: string;
  dialerState: AgentState;
  pauseId: string | null;
  idStatus: number | null;
  /** A pause the dialer applied whose ID Status no Omni pause has: shown as unmapped, never guessed. */
  unmappedIdStatus: number | null;
  pendingIdStatus: number | null;
  since: string;
};

type Row = {
  user_id: string;
  dialer_state: AgentState;
  pause_id: string | null;
  id_status: number | null;
  unmapped_id_status: number | null;
  pending_id_status: number | null;
  since: number;
};

/**
 * The agent's state at the dialer as Omni knows it, from the dialer's events, with pauses mapped by ID Status to
 * Omni's pauses; pause periods are recorded for the reports.
 */
export class Presence {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly pauses: PauseCatalogue,
    private readonly alerts: Alerts,
    private readonly feed: LiveFeed,
  ) {}

  get(userId: string): AgentPresence | undefined {
    const r = this.db.prepare('SELECT * FROM agent_states WHERE user_id = ?').get(userId) as Row | undefined;
    return (
      r && {
        userId: r.user_id,
        dialerState: r.dialer_state,
        pauseId: r.pause_id,
        idStatus: r.id_status,
        unmappedIdStatus: r.unmapped_id_status,
        pendingIdStatus: r.pending_id_status,
        since: new Date(r.since).toISOString(),
      }
    );
  }

  /** Applies an agent.state_changed event of the user's dialer account. */
  stateChanged(orgId: string, userId: string, e: DialerEventData<'agent.state_changed'>): void {
    const now = this.clock.now();
    let pauseId: string | null = null;
    let unmapped: number | null = null;
    if (e.state === 'paused' && e.idStatus !== null) {
      const pause = this.pauses.pauseByIdStatus(orgId, e.idStatus);
      if (pause) pauseId = pause.id;
      else if (!this.pauses.isSystemPause(orgId, e.idStatus, e.pauseName)) {
        unmapped = e.idStatus;
        this.alerts.raise(
          orgId,
          'PAUSE_UNMAPPED',
          `the dialer paused ${e.dialerUser} with ID Status ${e.idStatus} (${e.pauseName ?? 'no name'}), which no Omni pause has; register a pause with this ID Status and the dialer's exact name`,
          { dialerUser: e.dialerUser, idStatus: e.idStatus, dialerPauseName: e.pauseName, userId },
          `${e.idStatus}`,
        );
      }
    }
    this.db
      .prepare(
        `INSERT INTO agent_states (user_id, org_id, dialer_state, pause_id, id_status, unmapped_id_status, pending_id_status, since)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET dialer_state = excluded.dialer_state, pause_id = excluded.pause_id,
           id_status = excluded.id_status, unmapped_id_status = excluded.unmapped_id_status,
           pending_id_status = excluded.pending_id_status,
           since = CASE WHEN agent_states.dialer_state = excluded.dialer_state AND agent_states.id_status IS excluded.id_status
                        THEN agent_states.since ELSE excluded.since END`,
      )
      .run(userId, orgId, e.state, pauseId, e.state === 'paused' ? e.idStatus : null, unmapped, e.pendingIdStatus, now);
    // Pause periods (time per pause): close the open one, open a new one when paused.
    const open = this.db
      .prepare('SELECT id, id_status FROM pause_periods WHERE user_id = ? AND ended_at IS NULL')
      .get(userId) as { id: number; id_status: number } | undefined;
    const pausedNow = e.state === 'paused' && e.idStatus !== null;
    if (open && !(pausedNow && open.id_status === e.idStatus))
      this.db.prepare('UPDATE pause_periods SET ended_at = ? WHERE id = ?').run(now, open.id);
    if (pausedNow && !(open && open.id_status === e.idStatus))
      this.db
        .prepare('INSERT INTO pause_periods (org_id, user_id, pause_id, id_status, started_at) VALUES (?, ?, ?, ?, ?)')
        .run(orgId, userId, pauseId, e.idStatus, now);
    this.feed.publish(orgId, { kind: 'agent', userId });
  }

  pendingPause(orgId: string, userId: string, idStatus: number): void {
    this.db.prepare('UPDATE agent_states SET pending_id_status = ? WHERE user_id = ?').run(idStatus, userId);
    this.feed.publish(orgId, { kind: 'agent', userId });
  }

  loggedOut(orgId: string, userId: string): void {
    this.stateChanged(orgId, userId, {
      dialerUser: '',
      state: 'logged_out',
      previousState: 'logged_out',
      idStatus: null,
      pauseName: null,
      pendingIdStatus: null,
      callId: null,
      reason: 'logout',
    });
  }
}
