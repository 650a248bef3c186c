/** How many new calls the pacer starts on a tick. Pure: the dialing loop passes in the current counts. */
import type { PacingMode } from '../../contract/pacing.ts';

export interface LinesToDialInput {
  mode: PacingMode;
  /** Lines per free agent; used by `predictive` only. */
  ratio: number;
  /** Agents ready to take a call now. */
  freeAgents: number;
  /** Calls dialled and not yet resolved (ringing). */
  callsRinging: number;
  /** Answered calls waiting for an agent. */
  answeredWaiting: number;
  /** Leads that can be dialled now. */
  pendingLeads: number;
  /** Optional cap on the calls started in one tick. */
  maxLinesPerTick?: number;
}

/** Absorbs float noise such as 10 * 1.1 = 11.000000000000002, which would otherwise ceil to 12. */
const EPSILON = 1e-9;

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * The number of new calls to start now:
 * - progressive: one line per free agent, minus calls already ringing or answered and waiting;
 * - predictive: ceil(freeAgents * ratio), minus the same;
 * - scripted: always 0 (calls are placed through the control API only).
 * Never below 0, never more than `pendingLeads`, never more than `maxLinesPerTick` when given.
 */
export function linesToDial({
  mode,
  ratio,
  freeAgents,
  callsRinging,
  answeredWaiting,
  pendingLeads,
  maxLinesPerTick,
}: LinesToDialInput): number {
  const agents = count(freeAgents);
  let target: number;
  switch (mode) {
    case 'scripted':
      return 0;
    case 'progressive':
      target = agents;
      break;
    case 'predictive': {
      const r = Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
      target = Math.ceil(agents * r - EPSILON);
      break;
    }
  }
  let lines = target - count(callsRinging) - count(answeredWaiting);
  lines = Math.min(lines, count(pendingLeads));
  if (maxLinesPerTick !== undefined) lines = Math.min(lines, count(maxLinesPerTick));
  return Math.max(0, lines);
}
