import type { Clock, TimerHandle } from '../../core/clock.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { AgentSessions } from '../agents/sessions.ts';
import type { CallFlow } from '../calls/call-flow.ts';
import type { CampaignRepository } from '../campaigns/repository.ts';
import { linesToDial } from './lines.ts';
import { callPlanFor } from './outcome-model.ts';

/**
 * Runs the dialling of running campaigns: every tick, starts as many calls as the mode asks for the free agents.
 * Ticks are plain clock timers: the campaign's status is stored, and start() picks running campaigns up again.
 */
export class Pacer {
  readonly #ticks = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly campaigns: CampaignRepository,
    private readonly agents: AgentSessions,
    private readonly flow: CallFlow,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const c of this.campaigns.running()) this.#arm(c.orgId, c.id, 0);
  }

  stop(): void {
    for (const h of this.#ticks.values()) this.clock.clearTimeout(h);
    this.#ticks.clear();
  }

  startCampaign(orgId: string, campaignId: string) {
    const campaign = this.campaigns.setStatus(orgId, campaignId, 'running');
    this.#arm(orgId, campaignId, 0);
    return campaign;
  }

  stopCampaign(orgId: string, campaignId: string) {
    const campaign = this.campaigns.setStatus(orgId, campaignId, 'stopped');
    this.clock.clearTimeout(this.#ticks.get(campaignId));
    this.#ticks.delete(campaignId);
    return campaign;
  }

  #arm(orgId: string, campaignId: string, delayMs: number): void {
    this.clock.clearTimeout(this.#ticks.get(campaignId));
    this.#ticks.set(
      campaignId,
      this.clock.setTimeout(() => this.#tick(orgId, campaignId), delayMs),
    );
  }

  /** One pacing decision; returns how many calls it started. */
  tick(orgId: string, campaignId: string): number {
    const campaign = this.campaigns.get(orgId, campaignId);
    if (campaign.status !== 'running') return 0;
    this.flow.dispatch(orgId);
    const n = linesToDial({
      mode: campaign.pacing.mode,
      ratio: campaign.pacing.ratio,
      freeAgents: this.agents.countAvailable(orgId),
      callsRinging: this.flow.countInState(campaignId, 'dialing'),
      answeredWaiting: this.flow.countInState(campaignId, 'waiting_agent'),
      pendingLeads: this.campaigns.countDueLeads(campaignId),
    });
    for (const lead of this.campaigns.takeDueLeads(campaignId, n)) {
      const plan = callPlanFor(campaign.seed, this.campaigns.takeCallIndex(campaignId), campaign.pacing);
      this.flow.dial(orgId, campaignId, lead, plan);
    }
    return n;
  }

  #tick(orgId: string, campaignId: string): void {
    this.#ticks.delete(campaignId);
    let interval = 1_000;
    try {
      const campaign = this.campaigns.get(orgId, campaignId);
      if (campaign.status !== 'running') return;
      interval = campaign.pacing.tickMs;
      this.tick(orgId, campaignId);
    } catch (err) {
      if (isAppError(err) && err.status === 404) return; // the campaign or its organization was deleted
      this.log.error({ err, orgId, campaignId }, 'pacing tick failed');
    }
    this.#arm(orgId, campaignId, interval);
  }
}
