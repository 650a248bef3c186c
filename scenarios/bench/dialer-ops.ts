import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lead } from '../../contract/mailing.ts';
import type { Simulator } from '../../simulator/server.ts';

/**
 * What the integration benchmark does to the dialer simulator directly (setup, call ends, reading its disposition
 * times), as plain operations on a `Simulator`. The same code runs in the benchmark's thread (`--dialer-in-process`)
 * or in the dialer's worker thread (`sim-worker.ts`), which receives them as messages.
 */
export type DialerAgentCredentials = { dialerUser: string; password: string };
export type ScriptedCall = { lead: Lead; dialerUser?: string };

/**
 * Open loop: calls `fn(i)` for i = 0…count-1 at `rate` per second (call i at start + i/rate), without waiting for
 * what `fn` starts; calls that fell behind (a busy loop) go at once.
 */
export async function paced(count: number, rate: number, fn: (i: number) => void): Promise<void> {
  const start = performance.now();
  const intervalMs = 1000 / rate;
  let i = 0;
  while (i < count) {
    const now = performance.now();
    while (i < count && start + i * intervalMs <= now) fn(i++);
    if (i < count) await sleep(Math.max(0, start + i * intervalMs - performance.now()));
  }
}

export function dialerOps(sim: Simulator, orgId: string) {
  return {
    /** Dialer agents (one transaction). */
    createAgents(agents: DialerAgentCredentials[]): void {
      sim.db.transaction(() => {
        for (const a of agents)
          sim.orgs.createAgent(orgId, { dialerUser: a.dialerUser, name: a.dialerUser, password: a.password });
      })();
    },
    /** Logs the agents in and makes them available, directly (no Omni session). */
    loginAvailable(agents: DialerAgentCredentials[]): void {
      sim.db.transaction(() => {
        for (const a of agents) {
          sim.sessions.login(orgId, a.dialerUser, a.password);
          sim.sessions.apply(orgId, a.dialerUser, { type: 'available' });
        }
      })();
    },
    countAvailable(): number {
      return sim.sessions.countAvailable(orgId);
    },
    lastEventId(): number {
      return sim.events.lastId(orgId);
    },
    /** Scripted calls (one transaction): offered to `dialerUser` (available), or queued for the next free agent. */
    scripted(calls: ScriptedCall[]): void {
      sim.db.transaction(() => {
        for (const c of calls)
          sim.flow.scripted(orgId, {
            lead: c.lead,
            origin: 'scripted',
            ...(c.dialerUser ? { dialerUser: c.dialerUser } : {}),
          });
      })();
    },
    /** The customer hangs up each call: all in one transaction, or paced at `ratePerS` (open loop). */
    async hangup(callIds: string[], ratePerS?: number): Promise<void> {
      if (ratePerS === undefined)
        sim.db.transaction(() => {
          for (const id of callIds) sim.flow.hangup(orgId, id, 'customer');
        })();
      else await paced(callIds.length, ratePerS, (i) => sim.flow.hangup(orgId, callIds[i]!, 'customer'));
    },
    /** When the dialer recorded each call's disposition (its `dispositions.at`), as [call id, epoch ms]. */
    dispositionTimes(callIds: string[]): [string, number][] {
      const rows = sim.db
        .prepare('SELECT call_id, at FROM dispositions WHERE call_id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(callIds)) as { call_id: string; at: number }[];
      return rows.map((r) => [r.call_id, r.at]);
    },
  };
}

export type DialerOps = ReturnType<typeof dialerOps>;
export type DialerOpName = keyof DialerOps;
