import { z } from '@hono/zod-openapi';

/** The body of every error either side answers with: a stable code, a message that says what to fix, details. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'AGENT_CREDENTIALS_INVALID' }),
      message: z.string().openapi({ example: 'dialer user or password is wrong' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;
