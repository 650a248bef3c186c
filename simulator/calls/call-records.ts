import type { AgentState } from '../../contract/agents.ts';
import type { Call, CallOrigin, CallState, EndedBy } from '../../contract/calls.ts';
import type { Lead } from '../../contract/mailing.ts';
import type { CallOutcome } from '../../contract/pacing.ts';
import type { Db } from '../../core/db.ts';
import { notFound } from '../../core/errors.ts';
import type { CallPlan } from '../pacing/outcome-model.ts';
import { type CallCore, dispositionView, type StoredDisposition } from './call-state.ts';

/** A row of `calls`. */
export type CallRow = {
  id: string;
  org_id: string;
  campaign_id: string | null;
  lead_id: string | null;
  lead: string;
  parent_call_id: string | null;
  origin: CallOrigin;
  origin_extension: string | null;
  state: CallState;
  outcome: CallOutcome | null;
  dialer_user: string | null;
  agv_extension: string | null;
  transferred_to: string | null;
  plan: string | null;
  started_at: number;
  answered_at: number | null;
  offered_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  ended_by: EndedBy | null;
};

type DispositionRow = {
  call_id: string;
  dialer_user: string | null;
  tag_code: string;
  notes: string;
  idempotency_key: string | null;
  request_hash: string;
  at: number;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const storedDisposition = (d: DispositionRow): StoredDisposition => ({
  dialerUser: d.dialer_user,
  tagCode: d.tag_code,
  notes: d.notes,
  idempotencyKey: d.idempotency_key,
  requestHash: d.request_hash,
  at: d.at,
});

/** The columns the state machine needs (not the lead, which it never reads), with the agent's and disposition's. */
type CoreRow = Omit<CallRow, 'org_id' | 'lead' | 'parent_call_id'> & {
  agent_state: AgentState | null;
  agent_call_id: string | null;
  d_dialer_user: string | null;
  d_tag_code: string | null;
  d_notes: string | null;
  d_idempotency_key: string | null;
  d_request_hash: string | null;
  d_at: number | null;
};

/** The fields of `CallCore` that `update` writes to `calls` (a disposition alone leaves the row as it is). */
const STORED_COLUMNS = [
  'state',
  'outcome',
  'dialerUser',
  'agvExtension',
  'originExtension',
  'transferredTo',
  'answeredAt',
  'offeredAt',
  'connectedAt',
  'endedAt',
  'endedBy',
] as const satisfies ReadonlyArray<keyof CallCore>;

/** What a new row holds beside the machine's state: the lead and the leg it continues. */
export type CallRecordExtras = { lead: Lead; parentCallId: string | null };

/**
 * The `calls` and `dispositions` tables: rows in, the contract's `Call` and the state machine's `CallCore` out, and
 * a machine's new state written back. No decisions here.
 */
export class CallRecords {
  readonly #save;
  readonly #core;
  readonly #state;

  constructor(private readonly db: Db) {
    this.#core = db.prepare(
      `SELECT c.id, c.state, c.origin, c.campaign_id, c.lead_id, c.origin_extension, c.dialer_user, c.agv_extension,
              c.transferred_to, c.outcome, c.plan, c.started_at, c.answered_at, c.offered_at, c.connected_at,
              c.ended_at, c.ended_by, a.state AS agent_state, a.call_id AS agent_call_id,
              d.dialer_user AS d_dialer_user, d.tag_code AS d_tag_code, d.notes AS d_notes,
              d.idempotency_key AS d_idempotency_key, d.request_hash AS d_request_hash, d.at AS d_at
       FROM calls c
       LEFT JOIN agents a ON a.org_id = c.org_id AND a.dialer_user = c.dialer_user
       LEFT JOIN dispositions d ON d.call_id = c.id
       WHERE c.id = ? AND c.org_id = ?`,
    );
    this.#state = db.prepare('SELECT org_id, state, dialer_user FROM calls WHERE id = ?');
    this.#save = db.prepare(
      `UPDATE calls SET state = ?, outcome = ?, dialer_user = ?, agv_extension = ?, origin_extension = ?,
         transferred_to = ?, answered_at = ?, offered_at = ?, connected_at = ?, ended_at = ?, ended_by = ?
       WHERE id = ?`,
    );
  }

  row(orgId: string, callId: string): CallRow {
    const row = this.db.prepare('SELECT * FROM calls WHERE id = ? AND org_id = ?').get(callId, orgId) as
      | CallRow
      | undefined;
    if (!row) throw notFound('Call', callId, 'CALL_NOT_FOUND');
    return row;
  }

  /** Where a call stands (cheap: for checks after commit). */
  stateOf(callId: string): Pick<CallRow, 'org_id' | 'state' | 'dialer_user'> | undefined {
    return this.#state.get(callId) as Pick<CallRow, 'org_id' | 'state' | 'dialer_user'> | undefined;
  }

  rowById(callId: string): CallRow | undefined {
    return this.db.prepare('SELECT * FROM calls WHERE id = ?').get(callId) as CallRow | undefined;
  }

  #disposition(callId: string): DispositionRow | undefined {
    return this.db.prepare('SELECT * FROM dispositions WHERE call_id = ?').get(callId) as DispositionRow | undefined;
  }

  toCall(r: CallRow): Call {
    const d = this.#disposition(r.id);
    const service = r.campaign_id
      ? (this.db.prepare('SELECT service FROM campaigns WHERE id = ?').get(r.campaign_id) as
          | { service: string | null }
          | undefined)
      : undefined;
    return {
      id: r.id,
      campaignId: r.campaign_id,
      service: service?.service ?? null,
      parentCallId: r.parent_call_id,
      lead: JSON.parse(r.lead),
      origin: r.origin,
      originExtension: r.origin_extension,
      state: r.state,
      outcome: r.outcome,
      dialerUser: r.dialer_user,
      agvExtension: r.agv_extension,
      transferredTo: r.transferred_to,
      startedAt: new Date(r.started_at).toISOString(),
      answeredAt: iso(r.answered_at),
      offeredAt: iso(r.offered_at),
      connectedAt: iso(r.connected_at),
      endedAt: iso(r.ended_at),
      endedBy: r.ended_by,
      disposition: d ? dispositionView(d.call_id, storedDisposition(d)) : null,
    };
  }

  /**
   * The machine's view of a call, in one query: the row, its disposition, and its agent's state while they are on
   * this call (the agents table is read, never written, here).
   */
  core(orgId: string, callId: string): CallCore {
    const r = this.#core.get(callId, orgId) as CoreRow | undefined;
    if (!r) throw notFound('Call', callId, 'CALL_NOT_FOUND');
    const d: DispositionRow | undefined =
      r.d_request_hash === null
        ? undefined
        : {
            call_id: r.id,
            dialer_user: r.d_dialer_user,
            tag_code: r.d_tag_code!,
            notes: r.d_notes!,
            idempotency_key: r.d_idempotency_key,
            request_hash: r.d_request_hash,
            at: r.d_at!,
          };
    const agentState = r.agent_call_id === r.id ? r.agent_state : null;
    return {
      id: r.id,
      state: r.state,
      origin: r.origin,
      campaignId: r.campaign_id,
      leadId: r.lead_id,
      originExtension: r.origin_extension,
      dialerUser: r.dialer_user,
      agvExtension: r.agv_extension,
      transferredTo: r.transferred_to,
      outcome: r.outcome,
      plan: r.plan ? (JSON.parse(r.plan) as CallPlan) : null,
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      offeredAt: r.offered_at,
      connectedAt: r.connected_at,
      endedAt: r.ended_at,
      endedBy: r.ended_by,
      disposition: d ? storedDisposition(d) : null,
      agentState,
    };
  }

  insert(orgId: string, n: CallCore, extras: CallRecordExtras): void {
    this.db
      .prepare(
        `INSERT INTO calls (id, org_id, campaign_id, lead_id, lead, parent_call_id, origin, origin_extension, state,
                            dialer_user, agv_extension, plan, started_at, answered_at, offered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        n.id,
        orgId,
        n.campaignId,
        n.leadId,
        JSON.stringify(extras.lead),
        extras.parentCallId,
        n.origin,
        n.originExtension,
        n.state,
        n.dialerUser,
        n.agvExtension,
        n.plan ? JSON.stringify(n.plan) : null,
        n.startedAt,
        n.answeredAt,
        n.offeredAt,
      );
  }

  /** Writes a transition's new state (and the disposition it recorded, if any). */
  update(orgId: string, before: CallCore, n: CallCore): void {
    if (STORED_COLUMNS.some((k) => n[k] !== before[k]))
      this.#save.run(
        n.state,
        n.outcome,
        n.dialerUser,
        n.agvExtension,
        n.originExtension,
        n.transferredTo,
        n.answeredAt,
        n.offeredAt,
        n.connectedAt,
        n.endedAt,
        n.endedBy,
        n.id,
      );
    const d = n.disposition;
    if (d && d !== before.disposition)
      this.db
        .prepare(
          'INSERT INTO dispositions (call_id, org_id, dialer_user, tag_code, notes, idempotency_key, request_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(n.id, orgId, d.dialerUser, d.tagCode, d.notes, d.idempotencyKey, d.requestHash, d.at);
  }

  list(
    orgId: string,
    filter: { state?: CallState | undefined; dialerUser?: string | undefined; limit?: number | undefined } = {},
  ): Call[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM calls WHERE org_id = ? AND (? IS NULL OR state = ?) AND (? IS NULL OR dialer_user = ?)
         ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      )
      .all(
        orgId,
        filter.state ?? null,
        filter.state ?? null,
        filter.dialerUser ?? null,
        filter.dialerUser ?? null,
        filter.limit ?? 100,
      ) as CallRow[];
    return rows.map((r) => this.toCall(r));
  }

  countInState(campaignId: string, state: CallState): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE campaign_id = ? AND state = ?').get(campaignId, state) as {
        n: number;
      }
    ).n;
  }
}
