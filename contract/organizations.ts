import { z } from '@hono/zod-openapi';
import { exactText } from './text.ts';

/** One pause of the dialer's catalogue. System pauses (LOGIN…) are set by the dialer itself, never requested. */
export const PauseEntry = z
  .object({
    idStatus: z.number().int().min(0).max(9999).openapi({ example: 3 }),
    name: exactText('a pause name', 60)
      .describe('exactly as Omni’s pause of this ID Status is named: never trimmed')
      .openapi({ example: 'Almoço' }),
    system: z.boolean().default(false),
  })
  .openapi('PauseEntry');
export type PauseEntry = z.infer<typeof PauseEntry>;

export const Extension = z
  .string()
  .regex(/^\d{2,8}$/, 'an extension (ramal) is 2 to 8 digits')
  .openapi({ example: '7001' });

/** What a virtual agent does with a call it holds. */
export const AgvBehaviour = z
  .object({
    action: z.enum(['transfer', 'hangup']).default('transfer'),
    holdSeconds: z.number().min(0).max(3600).default(10),
  })
  .openapi('AgvBehaviour');

export const AgvName = exactText('an AGV name', 80).openapi({ example: 'URA Cobrança' });

export const Agv = z
  .object({
    extension: Extension,
    name: AgvName,
    behaviour: AgvBehaviour.default({ action: 'transfer', holdSeconds: 10 }),
  })
  .openapi('Agv');
export type Agv = z.infer<typeof Agv>;

export const DialerUser = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a dialer user is 1 to 64 letters, digits, dot, dash, underscore or @')
  .openapi({ example: 'agente1' });

export const DialerAgent = z
  .object({
    dialerUser: DialerUser,
    name: exactText('an agent name', 120),
    extension: Extension.optional(),
  })
  .openapi('DialerAgent');
export type DialerAgent = z.infer<typeof DialerAgent>;

export const DialerAgentInput = DialerAgent.extend({
  password: z.string().min(4, 'the password needs at least 4 characters').max(128),
}).openapi('DialerAgentInput');
export type DialerAgentInput = z.infer<typeof DialerAgentInput>;

export const DialerAgentUpdate = z
  .object({
    name: exactText('an agent name', 120).optional(),
    extension: Extension.nullable().optional(),
    password: z.string().min(4).max(128).optional(),
  })
  .openapi('DialerAgentUpdate');

export const Organization = z
  .object({
    id: z.string(),
    name: z.string(),
    pauses: z.array(PauseEntry),
    agvs: z.array(Agv),
    agents: z.array(DialerAgent),
    createdAt: z.string(),
  })
  .openapi('Organization');
export type Organization = z.infer<typeof Organization>;

export const OrganizationInput = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'an organization id is lowercase letters, digits and dashes')
      .optional(),
    name: exactText('an organization name', 120),
    key: z.string().min(16, 'a dialer key needs at least 16 characters').max(200).optional(),
    pauses: z.array(PauseEntry).optional(),
    agvs: z.array(Agv).optional(),
    agents: z.array(DialerAgentInput).optional(),
  })
  .openapi('OrganizationInput');
export type OrganizationInput = z.infer<typeof OrganizationInput>;

/** The catalogue every new organization starts with; LOGIN is where an agent sits right after login. */
export const DEFAULT_PAUSE_CATALOGUE: PauseEntry[] = [
  { idStatus: 1, name: 'LOGIN', system: true },
  { idStatus: 2, name: 'Almoço', system: false },
  { idStatus: 3, name: 'Banheiro', system: false },
  { idStatus: 4, name: 'Treinamento', system: false },
  { idStatus: 5, name: 'Feedback', system: false },
];
