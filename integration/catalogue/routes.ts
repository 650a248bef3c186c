import { z } from '@hono/zod-openapi';
import type { PauseEntry } from '../../contract/organizations.ts';
import type { Clock } from '../../core/clock.ts';
import { ErrorBody } from '../../core/http/error-body.ts';
import { defineRoute, json } from '../../core/http/openapi.ts';
import { integrationRouter } from '../http/app.ts';
import { crudRoutes, orgAccess, orgAdmin, orgMember, orgParams } from '../http/crud-routes.ts';
import { PauseDriftFinding, pauseCatalogueDrift } from './drift.ts';
import type { Pauses } from './pauses.ts';
import {
  Pause,
  PauseInput,
  PauseUpdate,
  Service,
  ServiceInput,
  ServiceUpdate,
  Tag,
  TagInput,
  TagUpdate,
} from './schemas.ts';
import type { Services } from './services.ts';
import type { SystemPauses } from './system-pauses.ts';
import type { Tags } from './tags.ts';

export type CatalogueRoutesOptions = {
  /**
   * Reads the dialer's pause catalogue for an organization (through the dialer client). When given,
   * `GET /organizations/{orgId}/pauses/drift` compares it with Omni's pauses. It is registered before
   * `/pauses/{pauseId}`, which would otherwise take "drift" for a pause id.
   */
  pauseCatalogue?: (orgId: string) => Promise<PauseEntry[]>;
};

const SystemPauseView = z
  .object({ idStatus: z.number().int(), name: z.string() })
  .openapi('OmniSystemPause', { example: { idStatus: 1, name: 'LOGIN' } });

const PauseDriftReport = z
  .object({
    orgId: z.string(),
    checkedAt: z.string(),
    inSync: z.boolean(),
    findings: z.array(PauseDriftFinding),
    /** The dialer's system pauses (LOGIN…): Omni names them in presence and reports, agents cannot request them. */
    systemPauses: z.array(SystemPauseView),
  })
  .openapi('OmniPauseDriftReport');

type Catalogue = { services: Services; pauses: Pauses; tags: Tags; systemPauses: SystemPauses };

/**
 * Serviços, Pausas, Tags: administrators manage them; every role of the organization reads pauses and tags (agents
 * choose them). The pause drift check compares Omni's pauses with the dialer's catalogue.
 */
export function catalogueRoutes(catalogue: Catalogue, clock: Clock, options: CatalogueRoutesOptions = {}) {
  const { services, pauses, tags, systemPauses } = catalogue;
  const app = integrationRouter();

  crudRoutes(app, {
    collection: 'services',
    idParam: 'serviceId',
    tag: 'Serviços',
    schemas: { item: Service, create: ServiceInput, update: ServiceUpdate },
    summaries: {
      list: 'Services (queues); an AGV service has the AGV’s ramal as identifier',
      get: 'One service',
      create: 'Creates a service (identifier unique in the organization: 409 SERVICE_EXISTS)',
      update: 'Changes a service',
      delete: 'Deletes a service (and its links to users and tags)',
    },
    access: { read: orgAdmin, write: orgAdmin },
    conflicts: ['create', 'update'],
    repository: {
      list: (orgId) => services.list(orgId),
      get: (orgId, id) => services.get(orgId, id),
      create: (orgId, input) => services.create(orgId, input),
      update: (orgId, id, patch) => services.update(orgId, id, patch),
      delete: (orgId, id) => services.delete(orgId, id),
    },
  });

  const { pauseCatalogue } = options;
  if (pauseCatalogue)
    app.openapi(
      defineRoute(
        {
          method: 'get',
          path: '/organizations/{orgId}/pauses/drift',
          operationId: 'pauses.drift',
          tags: ['Pausas'],
          summary: "Compares Omni's pauses with the dialer's catalogue (names and ID Status must be exactly equal)",
          description:
            'Reports, never fixes: name_differs (same ID Status; says whether only by case, accents, spaces or ' +
            'invisible characters, and which characters where), unknown_id_status (the dialer lacks it), ' +
            'missing_in_omni (a dialer pause Omni lacks; system pauses excepted). Omni remembers the dialer’s ' +
            'system pauses it reads here, to name them in presence and reports.',
          middleware: orgAccess('supervisor', 'admin'),
          request: { params: orgParams() },
          responses: {
            200: json(PauseDriftReport, 'the findings; empty when in sync'),
            409: json(ErrorBody, 'DIALER_NOT_CONFIGURED: the organization’s dialer settings are incomplete'),
          },
        },
        { errors: [403, 404, 409, 502, 503, 504] },
      ),
      async (c) => {
        const { orgId } = c.req.valid('param');
        const omni = pauses.list(orgId);
        const dialer = await pauseCatalogue(orgId);
        systemPauses.learnFromCatalogue(orgId, dialer);
        const findings = pauseCatalogueDrift(omni, dialer);
        return c.json(
          {
            orgId,
            checkedAt: new Date(clock.now()).toISOString(),
            inSync: findings.length === 0,
            findings,
            systemPauses: systemPauses.list(orgId).map(({ idStatus, name }) => ({ idStatus, name })),
          },
          200,
        );
      },
    );

  crudRoutes(app, {
    collection: 'pauses',
    idParam: 'pauseId',
    tag: 'Pausas',
    schemas: { item: Pause, create: PauseInput, update: PauseUpdate },
    summaries: {
      list: 'Pauses (name and ID Status exactly as in the dialer); every role of the organization may read them',
      get: 'One pause',
      create: 'Creates a pause; 409 PAUSE_DUPLICATE when its name or ID Status is taken',
      update: 'Changes a pause',
      delete: 'Deletes a pause',
    },
    access: { read: orgMember, write: orgAdmin },
    conflicts: ['create', 'update'],
    repository: {
      list: (orgId) => pauses.list(orgId),
      get: (orgId, id) => pauses.get(orgId, id),
      create: (orgId, input) => pauses.create(orgId, input),
      update: (orgId, id, patch) => pauses.update(orgId, id, patch),
      delete: (orgId, id) => pauses.delete(orgId, id),
    },
  });

  crudRoutes(app, {
    collection: 'tags',
    idParam: 'tagId',
    tag: 'Tags',
    schemas: {
      item: Tag,
      create: TagInput,
      update: TagUpdate,
      listQuery: z.object({
        serviceId: z.string().min(1).max(200).optional().openapi({ description: 'only the tags offered there' }),
      }),
    },
    summaries: {
      list: 'Tags (tabulations); every role of the organization may read them',
      get: 'One tag',
      create: 'Creates a tag (code unique in the organization; no services: offered in every service)',
      update: 'Changes a tag (a new code of the auto-tabulation tag updates the tabulation settings)',
      delete: 'Deletes a tag (not the auto-tabulation one: 409 TAG_IN_USE)',
    },
    access: { read: orgMember, write: orgAdmin },
    conflicts: ['create', 'update', 'delete'],
    repository: {
      list: (orgId, q) => (q.serviceId ? tags.forService(orgId, q.serviceId) : tags.list(orgId)),
      get: (orgId, id) => tags.get(orgId, id),
      create: (orgId, input) => tags.create(orgId, input),
      update: (orgId, id, patch) => tags.update(orgId, id, patch),
      delete: (orgId, id) => tags.delete(orgId, id),
    },
  });

  return app;
}
