import { integrationRouter } from '../http/app.ts';
import { crudRoutes, orgAdmin } from '../http/crud-routes.ts';
import type { Users } from './repository.ts';
import { User, UserCreate, UserUpdate } from './schemas.ts';

/**
 * Usuários: the organization's administrators manage its users. A role change, a new password or a deactivation
 * ends the user's sessions at once; other changes apply at their next login.
 */
export function userRoutes(users: Users) {
  const app = integrationRouter();
  crudRoutes(app, {
    collection: 'users',
    idParam: 'userId',
    tag: 'Usuários',
    schemas: { item: User, create: UserCreate, update: UserUpdate },
    summaries: {
      list: 'Users (never a password: hasPassword, hasDialerPassword)',
      get: 'One user',
      create: 'Creates a user; with useDialer, dialerUser and dialerPassword exactly as in the dialer',
      update:
        'Changes a user (fields left out keep their value); a new role, password or active: false ends their ' +
        'sessions at once, other changes apply at their next login',
      delete: 'Deletes a user (not the only active administrator: 409 LAST_ADMIN)',
    },
    access: { read: orgAdmin, write: orgAdmin },
    conflicts: ['create', 'update', 'delete'],
    repository: {
      list: (orgId) => users.list(orgId),
      get: (orgId, id) => users.get(orgId, id),
      create: (orgId, input) => users.create(orgId, input),
      update: (orgId, id, patch) => users.update(orgId, id, patch),
      delete: (orgId, id) => users.delete(orgId, id),
    },
  });
  return app;
}
