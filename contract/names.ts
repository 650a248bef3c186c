import { z } from '@hono/zod-openapi';

/** C0 and C1 control characters (NUL, tab, line breaks, DEL…): never part of a name or a code. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A name as people type it, stored exactly as given: never trimmed, because a name must equal the other side's
 * character for character ("Banheiro " and "Banheiro" are two names, and a drift check must be able to say so).
 * Refused: empty or blank, longer than `max`, or holding control characters.
 */
export const exactName = (what: string, max: number) =>
  z
    .string({ error: `${what} is required` })
    .min(1, { error: `${what} is required` })
    .max(max, { error: `${what} is at most ${max} characters` })
    .refine((s) => s.trim().length > 0, { error: `${what} must not be blank` })
    .refine((s) => !CONTROL_CHARACTER.test(s), {
      error: `${what} must not contain control characters (NUL, tab, line breaks…)`,
    });

/** True when `s` holds a C0/C1 control character. */
export const hasControlCharacter = (s: string) => CONTROL_CHARACTER.test(s);
