import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { SecretBox } from '../core/secrets.ts';
import { Pauses } from './catalogue/pauses.ts';
import { type CatalogueRoutesOptions, catalogueRoutes } from './catalogue/routes.ts';
import { Services } from './catalogue/services.ts';
import { SystemPauses } from './catalogue/system-pauses.ts';
import { Tags } from './catalogue/tags.ts';
import { integrationRouter } from './http/app.ts';
import { Organizations } from './organizations/repository.ts';
import { organizationRoutes } from './organizations/routes.ts';
import { setupRoutes } from './setup/routes.ts';
import { Users, type UsersOptions } from './users/repository.ts';
import { userRoutes } from './users/routes.ts';

/**
 * Omni's configuration over one database: organizations (dialer settings, certificate, tabulation), users, and the
 * catalogue of services, pauses and tags, plus the dialer's system pauses Omni learned. Each aggregate lives in its
 * own folder; this only builds them together and offers one transaction across them (nested calls become
 * savepoints).
 */
export class Configuration {
  readonly users: Users;
  readonly organizations: Organizations;
  readonly services: Services;
  readonly pauses: Pauses;
  readonly tags: Tags;
  readonly systemPauses: SystemPauses;
  readonly #db: Db;

  constructor(db: Db, clock: Clock, secrets: SecretBox, options: UsersOptions = {}) {
    this.#db = db;
    this.users = new Users(db, clock, secrets, options);
    this.organizations = new Organizations(db, clock, secrets, this.users);
    this.services = new Services(db);
    this.pauses = new Pauses(db);
    this.tags = new Tags(db);
    this.systemPauses = new SystemPauses(db, clock);
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }
}

export type ConfigurationRoutesOptions = CatalogueRoutesOptions;

/** The configuration's tags in the OpenAPI document: Omni's menu names. */
export const CONFIGURATION_TAGS = [
  {
    name: 'Empresas',
    description:
      'Organizations: dialer parameters (Chave do discador, Servidor do discador, Servidor WebRTC), the dialer’s ' +
      'certificate, auto-tabulation, setup export/import. Creating and listing all is the platform operator’s.',
  },
  { name: 'Usuários', description: 'Users: role, Utilizar discador, dialer user and password, slots, services' },
  { name: 'Serviços', description: 'Services (queues); an AGV service has the AGV’s ramal as identifier' },
  { name: 'Pausas', description: 'Pauses: name and ID Status exactly the dialer’s; the drift check' },
  { name: 'Tags', description: 'Tags (tabulations): the outcome an attendance is finalized with' },
];

/**
 * The configuration API of one organization (mount it under /api/v1 behind the session middleware): the
 * organization (dialer parameters, certificate, tabulation), setup export/import, users, services, pauses (and their
 * drift check), tags. Creating and listing organizations is the platform operator's: `organizationDirectoryRoutes`.
 */
export function configurationRoutes(config: Configuration, clock: Clock, options: ConfigurationRoutesOptions = {}) {
  const app = integrationRouter();
  app.route('/', organizationRoutes(config.organizations));
  app.route('/', setupRoutes(config, clock));
  app.route('/', userRoutes(config.users));
  app.route('/', catalogueRoutes(config, clock, options));
  return app;
}
