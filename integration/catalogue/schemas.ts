import { z } from '@hono/zod-openapi';
import { exactText } from '../../contract/text.ts';
import { TagCode } from '../organizations/schemas.ts';

/**
 * The organization's catalogue: services (queues; an AGV service has the AGV's ramal as identifier), pauses (name and
 * ID Status exactly the dialer's) and tags (tabulations). Names and codes are stored exactly as given.
 */

export { TagCode };

const EntityId = z.string().min(1).max(100);
const OrgId = z.string().openapi({ example: 'acme' });

/** A service's identifier; for an AGV service, the AGV's extension (ramal). */
export const ServiceIdentifier = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'an identifier is 1 to 64 letters, digits, dot, dash or underscore')
  .openapi({ example: '7001' });

export const ServiceName = exactText('the service name', 120).openapi({ example: 'URA Cobrança' });
export const PauseName = exactText('the pause name', 60).openapi({ example: 'Almoço' });
export const TagName = exactText('the tag name', 120).openapi({ example: 'Venda realizada' });
export const IdStatus = z.number().int('ID Status is a whole number').min(0).max(9999).openapi({ example: 2 });

// --- services ---

export const Service = z
  .object({ id: EntityId, orgId: OrgId, name: z.string(), identifier: z.string() })
  .openapi('OmniService');
export type Service = z.infer<typeof Service>;

export const ServiceInput = z.object({ name: ServiceName, identifier: ServiceIdentifier }).openapi('OmniServiceInput');
export type ServiceInput = z.infer<typeof ServiceInput>;
export const ServiceUpdate = ServiceInput.partial().openapi('OmniServiceUpdate');
export type ServiceUpdate = z.infer<typeof ServiceUpdate>;

// --- pauses ---

export const Pause = z
  .object({ id: EntityId, orgId: OrgId, name: z.string(), idStatus: z.number().int() })
  .openapi('OmniPause');
export type Pause = z.infer<typeof Pause>;

/** The name must be exactly the dialer's; the ID Status the dialer's too. */
export const PauseInput = z.object({ name: PauseName, idStatus: IdStatus }).openapi('OmniPauseInput');
export type PauseInput = z.infer<typeof PauseInput>;
export const PauseUpdate = PauseInput.partial().openapi('OmniPauseUpdate');
export type PauseUpdate = z.infer<typeof PauseUpdate>;

// --- tags ---

export const Tag = z
  .object({
    id: EntityId,
    orgId: OrgId,
    code: z.string(),
    name: z.string(),
    /** The services the tag is offered in; empty: every service. */
    serviceIds: z.array(EntityId),
  })
  .openapi('OmniTag');
export type Tag = z.infer<typeof Tag>;

const tagFields = z.object({ code: TagCode, name: TagName, serviceIds: z.array(EntityId).max(500) });
export const TagInput = tagFields
  .extend({ serviceIds: tagFields.shape.serviceIds.default([]) })
  .openapi('OmniTagInput');
export type TagInput = z.infer<typeof TagInput>;
export const TagUpdate = tagFields.partial().openapi('OmniTagUpdate');
export type TagUpdate = z.infer<typeof TagUpdate>;
