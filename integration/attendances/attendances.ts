import { randomUUID } from 'node:crypto';
import type { Call } from '../../contract/calls.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import type { DurableTimers } from '../../core/durable-timers.ts';
import { AppError, notFound } from '../../core/errors.ts';
import type { DialerCommandPort } from '../dialer/commands.ts';
import type { LiveFeed } from '../monitoring/live-feed.ts';
import {
  type AttendanceCommand,
  type AttendanceCore,
  type AttendanceState,
  type Finalizer,
  transitionAttendance,
} from './attendance-state.ts';
import type { Attendance } from './schemas.ts';

export type { Attendance };

/** What attendances read of the organization's configuration. */
export interface AttendanceConfig {
  tabulationSettings(orgId: string): { autoTabulation: boolean; windowSeconds: number; autoTagCode: string | null };
  tagByCode(orgId: string, code: string): { code: string; name: string; serviceIds: string[] } | undefined;
  serviceByIdentifier(orgId: string, identifier: string): { id: string; name: string; identifier: string } | undefined;
}

/** Where dialer commands go: durably, in order per call, exactly once (integration/dialer/commands.ts). */
export type DialerCommands = Pick<DialerCommandPort, 'send'>;

type Row = {
  id: string;
  org_id: string;
  user_id: string | null;
  dialer_user: string | null;
  service_id: string | null;
  call_id: string | null;
  campaign_id: string | null;
  origin_extension: string | null;
  lead: string;
  state: AttendanceState;
  created_at: number;
  offered_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  wrap_up_deadline: number | null;
  tag_code: string | null;
  notes: string;
  finalized_at: number | null;
  finalized_by: Finalizer | null;
  finalized_by_user: string | null;
  slot_freed_at: number | null;
  next_offer_at: number | null;
};

export const WRAP_UP_TIMER = 'attendance.wrap_up';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const OPEN_STATES = "('offered', 'in_progress', 'wrap_up')";

export type Actor = { kind: 'agent' | 'supervisor'; userId: string } | { kind: 'auto' };

/**
 * Attendances of media Discador: a delivered call becomes one, occupying a slot of its agent until it is finalized
 * by the agent, by auto-tabulation when the wrap-up window runs out, or by a supervisor. Every change runs in one
 * transaction with its timers and dialer commands, so exactly one finalization wins and the dialer gets exactly one
 * disposition.
 */
export class Attendances {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly timers: DurableTimers,
    private readonly commands: DialerCommands,
    private readonly config: AttendanceConfig,
    private readonly feed: LiveFeed,
  ) {
    timers.on(WRAP_UP_TIMER, (id) => this.#autoFinalize(id));
  }

  #toAttendance(r: Row): Attendance {
    return {
      id: r.id,
      orgId: r.org_id,
      media: 'dialer',
      userId: r.user_id,
      serviceId: r.service_id,
      callId: r.call_id,
      campaignId: r.campaign_id,
      originExtension: r.origin_extension,
      lead: JSON.parse(r.lead),
      state: r.state,
      createdAt: new Date(r.created_at).toISOString(),
      offeredAt: iso(r.offered_at),
      connectedAt: iso(r.connected_at),
      endedAt: iso(r.ended_at),
      wrapUpDeadline: iso(r.wrap_up_deadline),
      wrapUpLeftMs:
        r.state === 'wrap_up' && r.wrap_up_deadline !== null
          ? Math.max(0, r.wrap_up_deadline - this.clock.now())
          : null,
      tagCode: r.tag_code,
      notes: r.notes,
      finalizedAt: iso(r.finalized_at),
      finalizedBy: r.finalized_by,
      finalizedByUser: r.finalized_by_user,
      // Omni's slot is free the moment the attendance is finalized; the dialer's confirmation comes later.
      slotFreedAt: iso(r.finalized_at),
      dialerFreedAt: iso(r.slot_freed_at),
      nextOfferAt: iso(r.next_offer_at),
    };
  }

  #row(id: string): Row | undefined {
    return this.db.prepare('SELECT * FROM attendances WHERE id = ?').get(id) as Row | undefined;
  }

  #byCall(callId: string): Row | undefined {
    return this.db.prepare('SELECT * FROM attendances WHERE call_id = ?').get(callId) as Row | undefined;
  }

  get(orgId: string, id: string): Attendance {
    const r = this.#row(id);
    if (!r || r.org_id !== orgId) throw notFound('Attendance', id, 'ATTENDANCE_NOT_FOUND');
    return this.#toAttendance(r);
  }

  byCall(callId: string): Attendance | undefined {
    const r = this.#byCall(callId);
    return r && this.#toAttendance(r);
  }

  list(
    orgId: string,
    f: { states?: AttendanceState[]; userId?: string; serviceId?: string; limit?: number; since?: number } = {},
  ): Attendance[] {
    const states = f.states?.length ? f.states : null;
    const rows = this.db
      .prepare(
        `SELECT * FROM attendances WHERE org_id = ?
           AND (? IS NULL OR state IN (SELECT value FROM json_each(?)))
           AND (? IS NULL OR user_id = ?) AND (? IS NULL OR service_id = ?) AND created_at >= ?
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(
        orgId,
        states && 1,
        JSON.stringify(states ?? []),
        f.userId ?? null,
        f.userId ?? null,
        f.serviceId ?? null,
        f.serviceId ?? null,
        f.since ?? 0,
        f.limit ?? 200,
      ) as Row[];
    return rows.map((r) => this.#toAttendance(r));
  }

  /** Attendances holding a slot of the user (offered, in progress or in wrap-up). */
  slotsUsed(userId: string): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM attendances WHERE user_id = ? AND state IN ${OPEN_STATES}`)
        .get(userId) as {
        n: number;
      }
    ).n;
  }

  #save(r: Row, next: AttendanceCore, extra: Partial<Row> = {}): void {
    const merged = {
      ...r,
      state: next.state,
      tag_code: next.tagCode,
      notes: next.notes,
      wrap_up_deadline: next.wrapUpDeadline,
      finalized_by: next.finalizedBy,
      finalized_at: next.finalizedAt,
      ...extra,
    };
    this.db
      .prepare(
        `UPDATE attendances SET state = @state, tag_code = @tag_code, notes = @notes, wrap_up_deadline = @wrap_up_deadline,
           finalized_by = @finalized_by, finalized_at = @finalized_at, finalized_by_user = @finalized_by_user,
           user_id = @user_id, dialer_user = @dialer_user, service_id = @service_id, offered_at = @offered_at, connected_at = @connected_at,
           ended_at = @ended_at, slot_freed_at = @slot_freed_at, next_offer_at = @next_offer_at
         WHERE id = @id`,
      )
      .run(merged);
    this.feed.publish(r.org_id, { kind: 'attendance', attendanceId: r.id });
  }

  #core(r: Row): AttendanceCore {
    return {
      state: r.state,
      tagCode: r.tag_code,
      notes: r.notes,
      wrapUpDeadline: r.wrap_up_deadline,
      finalizedBy: r.finalized_by,
      finalizedAt: r.finalized_at,
    };
  }

  /** Applies a command and carries out its effects, all in one transaction. */
  #apply(r: Row, cmd: AttendanceCommand, extra: Partial<Row> = {}): Row {
    const t = transitionAttendance(this.#core(r), cmd);
    const dialerUser = extra.dialer_user ?? r.dialer_user;
    for (const e of t.effects) {
      if (e.type === 'schedule_wrap_up') this.timers.schedule(WRAP_UP_TIMER, r.id, e.at);
      if (e.type === 'cancel_wrap_up') this.timers.cancel(WRAP_UP_TIMER, r.id);
      if (e.type === 'hangup_call' && r.call_id)
        this.commands.send(
          r.org_id,
          { route: 'calls.hangup', params: { id: r.call_id }, body: { by: e.by } },
          `hangup:${r.call_id}`,
        );
      if (e.type === 'send_disposition' && r.call_id)
        this.commands.send(
          r.org_id,
          {
            route: 'calls.disposition',
            params: { id: r.call_id },
            body: { tagCode: e.tagCode, notes: e.notes, ...(dialerUser ? { dialerUser } : {}) },
          },
          `disposition:${r.call_id}`,
        );
    }
    this.#save(r, t.next, extra);
    return this.#row(r.id)!;
  }

  // --- from the dialer's events ---

  /**
   * The dialer offered a call to an agent: it becomes an attendance (or, for an AGV call Omni routed, the queued
   * attendance moves on). The service is the campaign's, or the AGV's for a transfer.
   */
  callOffered(orgId: string, call: Call, userId: string, dialerUser: string, at: number): Attendance {
    return this.db.transaction(() => {
      const now = this.#eventTime(at);
      const existing = this.#byCall(call.id);
      if (existing) {
        const r = this.#apply(
          existing,
          { type: 'offered' },
          { user_id: userId, dialer_user: dialerUser, offered_at: now },
        );
        this.#markNextOffer(userId, now, r.id);
        return this.#toAttendance(r);
      }
      const service = call.service ? this.config.serviceByIdentifier(orgId, call.service) : undefined;
      const id = randomUUID();
      this.db
        .prepare(
          `INSERT INTO attendances (id, org_id, user_id, dialer_user, service_id, call_id, campaign_id, origin_extension,
                                    lead, state, created_at, offered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'offered', ?, ?)`,
        )
        .run(
          id,
          orgId,
          userId,
          dialerUser,
          service?.id ?? null,
          call.id,
          call.campaignId,
          call.originExtension,
          JSON.stringify(call.lead),
          now,
          now,
        );
      this.#markNextOffer(userId, now, id);
      this.feed.publish(orgId, { kind: 'attendance', attendanceId: id });
      return this.get(orgId, id);
    })();
  }

  /**
   * When something the dialer reports happened: the event's own time (`at`), not when Omni read it (a replay after
   * Omni was down would shift every time to the replay); never later than Omni's now, should the dialer's clock run
   * ahead.
   */
  #eventTime(at: number): number {
    const now = this.clock.now();
    return Number.isFinite(at) ? Math.min(at, now) : now;
  }

  /** Slot release latency: the agent's previous finalized attendance learns when the next one was offered. */
  #markNextOffer(userId: string, now: number, exceptId: string): void {
    this.db
      .prepare(
        `UPDATE attendances SET next_offer_at = ? WHERE rowid = (
           SELECT rowid FROM attendances WHERE user_id = ? AND state = 'finalized' AND next_offer_at IS NULL AND id <> ?
           ORDER BY finalized_at DESC LIMIT 1)`,
      )
      .run(now, userId, exceptId);
  }

  callConnected(callId: string, at: number): void {
    const r = this.#byCall(callId);
    if (r) this.#apply(r, { type: 'connected' }, { connected_at: this.#eventTime(at) });
  }

  /**
   * The call ended: wrap-up starts, with the organization's auto-tabulation window when it is on. The window runs
   * from the call's real end (the event's time): read late (Omni was down), it has less left, or none, and the
   * deadline then fires at once.
   */
  callEnded(callId: string, at: number): void {
    const r = this.#byCall(callId);
    if (!r) return;
    const t = this.config.tabulationSettings(r.org_id);
    const now = this.#eventTime(at);
    this.#apply(
      r,
      { type: 'call_ended', now, windowMs: t.autoTabulation ? t.windowSeconds * 1000 : null },
      { ended_at: now },
    );
  }

  /** The dialer made the agent available again after their disposition: the slot is free at the dialer too. */
  agentFreed(userId: string): void {
    this.db
      .prepare(
        `UPDATE attendances SET slot_freed_at = ? WHERE rowid = (
           SELECT rowid FROM attendances WHERE user_id = ? AND state = 'finalized' AND slot_freed_at IS NULL
           ORDER BY finalized_at DESC LIMIT 1)`,
      )
      .run(this.clock.now(), userId);
  }

  /** An AGV handed a call back: it waits in the service whose identifier is the AGV's ramal, or is kept unrouted. */
  agvTransferred(orgId: string, call: Call, extension: string): Attendance {
    return this.db.transaction(() => {
      const existing = this.#byCall(call.id);
      if (existing) return this.#toAttendance(existing);
      const service = this.config.serviceByIdentifier(orgId, extension);
      const id = randomUUID();
      this.db
        .prepare(
          `INSERT INTO attendances (id, org_id, service_id, call_id, campaign_id, origin_extension, lead, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          orgId,
          service?.id ?? null,
          call.id,
          call.campaignId,
          extension,
          JSON.stringify(call.lead),
          service ? 'queued' : 'unrouted',
          this.clock.now(),
        );
      this.feed.publish(orgId, { kind: 'attendance', attendanceId: id });
      return this.get(orgId, id);
    })();
  }

  /** A supervisor sends an unrouted (or queued) AGV call to a service. */
  reroute(orgId: string, id: string, serviceId: string): Attendance {
    return this.db.transaction(() => {
      const r = this.#row(id);
      if (!r || r.org_id !== orgId) throw notFound('Attendance', id, 'ATTENDANCE_NOT_FOUND');
      if (r.state !== 'unrouted' && r.state !== 'queued')
        throw new AppError(
          'ATTENDANCE_NOT_QUEUED',
          409,
          `the attendance is ${r.state}; only a queued or unrouted call can be routed`,
        );
      this.db.prepare("UPDATE attendances SET state = 'queued', service_id = ? WHERE id = ?").run(serviceId, id);
      this.feed.publish(orgId, { kind: 'attendance', attendanceId: id });
      return this.get(orgId, id);
    })();
  }

  /** Queued AGV calls of an organization, oldest first. */
  queued(orgId: string): Attendance[] {
    return (
      this.db
        .prepare("SELECT * FROM attendances WHERE org_id = ? AND state = 'queued' ORDER BY created_at, rowid")
        .all(orgId) as Row[]
    ).map((r) => this.#toAttendance(r));
  }

  // --- actions ---

  #checkTag(r: Row, tagCode: string): void {
    const tag = this.config.tagByCode(r.org_id, tagCode);
    if (!tag)
      throw new AppError('TAG_UNKNOWN', 422, `tag '${tagCode}' does not exist in this organization`, { tagCode });
    if (tag.serviceIds.length > 0 && r.service_id && !tag.serviceIds.includes(r.service_id))
      throw new AppError('TAG_NOT_FOR_SERVICE', 422, `tag '${tagCode}' does not apply to this attendance's service`, {
        tagCode,
        serviceId: r.service_id,
      });
  }

  #forActor(orgId: string, id: string, actor: Actor): Row {
    const r = this.#row(id);
    if (!r || r.org_id !== orgId) throw notFound('Attendance', id, 'ATTENDANCE_NOT_FOUND');
    if (actor.kind === 'agent' && r.user_id !== actor.userId)
      throw new AppError('ATTENDANCE_NOT_YOURS', 403, 'an agent acts only on their own attendances');
    return r;
  }

  /** The agent sets the tag and/or notes (any number of times, during the call or the wrap-up). */
  tabulate(
    orgId: string,
    id: string,
    actor: Actor,
    input: { tagCode?: string | undefined; notes?: string | undefined },
  ): Attendance {
    return this.db.transaction(() => {
      const r = this.#forActor(orgId, id, actor);
      if (input.tagCode !== undefined) this.#checkTag(r, input.tagCode);
      return this.#toAttendance(this.#apply(r, { type: 'tabulate', tagCode: input.tagCode, notes: input.notes }));
    })();
  }

  /**
   * The agent hangs up their own call (the softphone's red button): the dialer ends it, durably through the outbox, and
   * the call's end opens the wrap-up as for any other end. 409 ATTENDANCE_NOT_IN_CALL when no call is up.
   */
  hangUp(orgId: string, id: string, actor: Actor): Attendance {
    return this.db.transaction(() => {
      const r = this.#forActor(orgId, id, actor);
      const by = actor.kind === 'supervisor' ? 'supervisor' : 'agent';
      return this.#toAttendance(this.#apply(r, { type: 'hang_up', by }));
    })();
  }

  /** Finalizes once: the first wins; any other gets 409 with the winner's details. Frees the slot at once. */
  finalize(
    orgId: string,
    id: string,
    actor: Actor,
    input: { tagCode?: string | undefined; notes?: string | undefined },
  ): Attendance {
    return this.db.transaction(() => {
      const r = this.#forActor(orgId, id, actor);
      if (input.tagCode !== undefined) this.#checkTag(r, input.tagCode);
      const now = this.clock.now();
      const next = this.#apply(
        r,
        { type: 'finalize', by: actor.kind, tagCode: input.tagCode ?? null, notes: input.notes, now },
        { finalized_by_user: actor.kind === 'auto' ? null : actor.userId },
      );
      return this.#toAttendance(next);
    })();
  }

  #autoFinalize(id: string): void {
    const r = this.#row(id);
    if (r?.state !== 'wrap_up') return;
    const settings = this.config.tabulationSettings(r.org_id);
    const tagCode = r.tag_code ?? settings.autoTagCode;
    if (!tagCode) {
      // No tag to use: keep the attendance in wrap-up, visible to supervisors, rather than invent an outcome.
      this.db.prepare('UPDATE attendances SET wrap_up_deadline = NULL WHERE id = ?').run(id);
      this.feed.publish(r.org_id, { kind: 'attendance', attendanceId: id });
      return;
    }
    this.#apply(r, { type: 'finalize', by: 'auto', tagCode, now: this.clock.now() });
  }
}
