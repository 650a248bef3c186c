import { afterCommit } from '../../core/after-commit.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Db } from '../../core/db.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Presence } from '../agents/presence.ts';
import type { Attendances } from '../attendances/attendances.ts';
import type { Sessions } from '../auth/sessions.ts';

export interface CallAssigner {
  assign(orgId: string, callId: string, dialerUser: string): Promise<unknown>;
}

const RETRY_MS = 5_000;

/**
 * Offers the calls AGVs hand back (queued in the service whose identifier is the AGV's ramal) to free agents of that
 * service: logged in with the dialer, available there, with a free slot; longest idle first. A queued call waits
 * until an agent frees; nothing is dropped.
 */
export class AgvRouter {
  /** One stable routing pass per organization, so several requests in one transaction route once. */
  readonly #passes = new Map<string, () => void>();
  readonly #inFlight = new Set<string>();
  readonly #retry = new Map<string, TimerHandle>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly attendances: Attendances,
    private readonly sessions: Sessions,
    private readonly presence: Presence,
    private readonly assigner: CallAssigner,
    private readonly log: Logger,
  ) {}

  /** Routes the organization's queue once the current transaction commits (at once outside one; never on rollback). */
  schedule(orgId: string): void {
    let pass = this.#passes.get(orgId);
    if (!pass) {
      pass = () => {
        this.route(orgId).catch((err: unknown) => this.log.error({ err, orgId }, 'AGV routing pass failed'));
      };
      this.#passes.set(orgId, pass);
    }
    afterCommit(this.db, pass);
  }

  stop(): void {
    for (const h of this.#retry.values()) this.clock.clearTimeout(h);
    this.#retry.clear();
  }

  /** One routing pass; returns how many calls were assigned. */
  async route(orgId: string): Promise<number> {
    let assigned = 0;
    const queued = this.attendances.queued(orgId).filter((a) => !this.#inFlight.has(a.id));
    if (queued.length === 0) return 0;
    const taken = new Set<string>();
    for (const att of queued) {
      const candidates = this.sessions
        .activeDialerUsers(orgId)
        .filter(
          (u) =>
            u.config.dialerUser && !taken.has(u.userId) && att.serviceId && u.config.serviceIds.includes(att.serviceId),
        )
        .map((u) => ({ ...u, presence: this.presence.get(u.userId) }))
        .filter((u) => u.presence?.dialerState === 'available' && this.attendances.slotsUsed(u.userId) < u.config.slots)
        .sort((a, b) => (a.presence!.since < b.presence!.since ? -1 : 1));
      this.#inFlight.add(att.id);
      try {
        for (const c of candidates) {
          try {
            await this.assigner.assign(orgId, att.callId!, c.config.dialerUser!);
            taken.add(c.userId);
            assigned++;
            break;
          } catch (err) {
            // Another call reached this agent first: try the next one.
            if (isAppError(err) && err.status === 409) continue;
            throw err;
          }
        }
      } catch (err) {
        this.log.warn({ err, orgId, attendanceId: att.id }, 'AGV call not assigned; retrying');
      } finally {
        this.#inFlight.delete(att.id);
      }
    }
    if (this.attendances.queued(orgId).length > 0) this.#retryLater(orgId);
    return assigned;
  }

  // Agents freeing trigger routing; this also covers a dialer that was down when they did.
  #retryLater(orgId: string): void {
    if (this.#retry.has(orgId)) return;
    this.#retry.set(
      orgId,
      this.clock.setTimeout(() => {
        this.#retry.delete(orgId);
        this.schedule(orgId);
      }, RETRY_MS),
    );
  }
}
