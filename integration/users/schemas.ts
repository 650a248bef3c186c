import { z } from '@hono/zod-openapi';
import { DialerUser } from '../../contract/organizations.ts';
import { exactText } from '../../contract/text.ts';

/**
 * Omni users (the seed's "Configuração no Usuário"): role, *Utilizar discador*, *Usuário do Discador* and *Senha do
 * Discador* (exactly the dialer's), capacity (slots) of media Discador, services. Read models never carry a secret:
 * the Omni password and the dialer password are write-only and show up as `hasPassword` / `hasDialerPassword`.
 */

export const Role = z.enum(['agent', 'supervisor', 'admin']).openapi({ example: 'agent' });
export type Role = z.infer<typeof Role>;

export const Username = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a username is 1 to 64 letters, digits, dot, dash, underscore or @')
  .openapi({ example: 'ana.souza' });

/** The Omni login password (write-only). */
export const Password = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(200)
  .openapi({ description: 'write-only', example: 'uma-senha-longa' });

/** *Senha do Discador*: must equal the dialer's records (write-only). */
export const DialerPassword = z
  .string()
  .min(4, 'a dialer password has at least 4 characters')
  .max(128)
  .openapi({ description: 'write-only', example: 'senha-do-discador' });

/** Simultaneous attendances of media Discador. */
export const Slots = z.number().int('slots is a whole number').min(1, 'slots is at least 1').max(100);

export const UserName = exactText('the name', 120).openapi({ example: 'Ana Souza' });

const EntityId = z.string().min(1).max(100);
const IsoTime = z.string().openapi({ example: '2025-01-01T12:00:00.000Z' });

export const User = z
  .object({
    id: EntityId,
    orgId: z.string().openapi({ example: 'acme' }),
    username: z.string(),
    name: z.string(),
    role: Role,
    /** False for a deactivated user: they cannot log in, and their sessions ended when they were deactivated. */
    active: z.boolean(),
    /** False for a user imported without a password: they cannot log in until one is set. */
    hasPassword: z.boolean(),
    useDialer: z.boolean(),
    dialerUser: z.string().nullable(),
    hasDialerPassword: z.boolean(),
    slots: z.number().int(),
    serviceIds: z.array(EntityId),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi('OmniUser');
export type User = z.infer<typeof User>;

const userFields = z.object({
  username: Username,
  name: UserName,
  role: Role,
  active: z.boolean().openapi({ description: 'false deactivates the user: no login, sessions end at once' }),
  password: Password,
  useDialer: z.boolean().openapi({ description: 'Utilizar discador' }),
  dialerUser: DialerUser.nullable().openapi({ description: 'Usuário do Discador' }),
  dialerPassword: DialerPassword.nullable().openapi({ description: 'Senha do Discador (write-only)' }),
  slots: Slots,
  serviceIds: z.array(EntityId).max(500),
});

export const DIALER_USER_NEEDED = 'a user with "Utilizar discador" needs the dialer user (Usuário do Discador)';
export const DIALER_PASSWORD_NEEDED = 'a user with "Utilizar discador" needs the dialer password (Senha do Discador)';

const needsDialerUser = (u: { useDialer?: boolean; dialerUser?: string | null }) => !u.useDialer || !!u.dialerUser;

/** A user as an import may create them: secrets may be missing (the user then cannot log in / into the dialer). */
export const UserCreateRelaxed = userFields
  .extend({
    active: userFields.shape.active.default(true),
    password: Password.optional(),
    useDialer: userFields.shape.useDialer.default(false),
    dialerUser: userFields.shape.dialerUser.optional(),
    dialerPassword: userFields.shape.dialerPassword.optional(),
    slots: Slots.default(1),
    serviceIds: userFields.shape.serviceIds.default([]),
  })
  .refine(needsDialerUser, { path: ['dialerUser'], message: DIALER_USER_NEEDED });
export type UserCreateRelaxed = z.infer<typeof UserCreateRelaxed>;

export const UserCreate = UserCreateRelaxed.safeExtend({ password: Password })
  .refine((u) => !u.useDialer || !!u.dialerPassword, { path: ['dialerPassword'], message: DIALER_PASSWORD_NEEDED })
  .openapi('OmniUserCreate', {
    example: {
      username: 'ana.souza',
      name: 'Ana Souza',
      role: 'agent',
      active: true,
      password: 'uma-senha-longa',
      useDialer: true,
      dialerUser: 'agente1',
      dialerPassword: 'senha-do-discador',
      slots: 1,
      serviceIds: [],
    },
  });
export type UserCreate = z.infer<typeof UserCreate>;

/** Fields left out keep their value; `null` clears the dialer user or password. */
export const UserUpdate = userFields.partial().openapi('OmniUserUpdate');
export type UserUpdate = z.infer<typeof UserUpdate>;
