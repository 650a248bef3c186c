import { z } from '@hono/zod-openapi';
import { ErrorBody } from './error-body.ts';

/** JSON body/response helpers for createRoute, so each route states only what is particular to it. */
export const jsonBody = <T extends z.ZodTypeAny>(schema: T, description = 'request body') => ({
  body: { content: { 'application/json': { schema } }, description, required: true },
});

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const err = (description: string) => json(ErrorBody, description);

/** The error answers every authenticated dialer route may give. */
export const errors = {
  401: err('missing or wrong dialer key'),
  404: err('not found'),
  409: err('conflicts with the current state'),
  422: err('invalid input'),
} as const;

export const Ok = z.object({ ok: z.literal(true) }).openapi('Ok');
