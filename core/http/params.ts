import { z } from '@hono/zod-openapi';

/**
 * A whole number in a path or query parameter: digits only (no sign, no `0x10`, no `1e3`, which `z.coerce` would
 * take), documented as a string with that pattern (what the wire carries) and given to handlers as a number.
 */
export const wholeNumberParam = (o: { min?: number; max?: number } = {}) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { error: 'a whole number, digits only' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(o.min ?? 0)
        .max(o.max ?? Number.MAX_SAFE_INTEGER),
    );
