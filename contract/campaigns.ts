import { z } from '@hono/zod-openapi';
import { Extension } from './organizations.ts';
import { Pacing } from './pacing.ts';
import { exactText } from './text.ts';

export const CampaignRoute = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('agents') }),
    z.object({ kind: z.literal('agv'), extension: Extension }),
  ])
  .openapi('CampaignRoute');

export const CampaignInput = z
  .object({
    name: exactText('a campaign name', 120),
    service: exactText('a service identifier', 120)
      .optional()
      .describe("the Omni service (queue) this campaign's calls belong to: its identifier, exactly"),
    pacing: Pacing.default(Pacing.parse({})),
    routeTo: CampaignRoute.default({ kind: 'agents' }).describe('who takes answered calls: the agents, or an AGV'),
    seed: z.union([z.string(), z.number()]).default('ds-harness').describe('seed of the outcome model'),
  })
  .openapi('CampaignInput');
export type CampaignInput = z.infer<typeof CampaignInput>;

export const LeadCounts = z
  .object({ total: z.number(), pending: z.number(), dialing: z.number(), done: z.number(), failed: z.number() })
  .openapi('LeadCounts');

export const Campaign = z
  .object({
    id: z.string(),
    name: z.string(),
    service: z.string().nullable(),
    pacing: Pacing,
    routeTo: CampaignRoute,
    seed: z.union([z.string(), z.number()]),
    status: z.enum(['stopped', 'running']),
    createdAt: z.string(),
    leads: LeadCounts,
  })
  .openapi('Campaign');
export type Campaign = z.infer<typeof Campaign>;
