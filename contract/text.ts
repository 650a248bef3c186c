import { z } from '@hono/zod-openapi';

/**
 * Names and codes as both sides store them: exactly as given, never trimmed. A pause must be called exactly what the
 * dialer calls it, so "Banheiro " and "Banheiro" are two names and the drift check must be able to say so; trimming
 * on the way in would hide that. What no name may hold is refused with a message that says where: control characters
 * (NUL, tab, line breaks, DEL, C1), which no one types on purpose and which break CSV exports and logs.
 */

/** C0 and C1 control characters (by code point: a regex would need the characters themselves). */
const isControlCodePoint = (cp: number) => cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);

/** Format characters (zero-width space/joiners, BOM, soft hyphen…) and the fillers that show nothing either. */
const FORMAT = /^\p{Cf}$/u;
const FILLERS = new Set([0x034f, 0x115f, 0x1160, 0x3164, 0xffa0]);

/** What a person would call a space: ASCII space, tab, no-break and the other Unicode spaces. */
const SPACE = /[\s\p{Zs}]/u;

const NAMES: Record<number, string> = {
  0: 'NUL',
  9: 'TAB',
  10: 'LINE FEED',
  13: 'CARRIAGE RETURN',
  27: 'ESCAPE',
  32: 'SPACE',
  127: 'DELETE',
  160: 'NO-BREAK SPACE',
  173: 'SOFT HYPHEN',
  8199: 'FIGURE SPACE',
  8201: 'THIN SPACE',
  8203: 'ZERO WIDTH SPACE',
  8204: 'ZERO WIDTH NON-JOINER',
  8205: 'ZERO WIDTH JOINER',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8239: 'NARROW NO-BREAK SPACE',
  8288: 'WORD JOINER',
  12288: 'IDEOGRAPHIC SPACE',
  65279: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** "U+00A0 NO-BREAK SPACE", or "'ç' (U+00E7)" for a visible character. */
export function describeCharacter(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[cp];
  if (name) return `${hex} ${name}`;
  if (isControl(ch) || isInvisible(ch) || isSpace(ch)) return hex;
  return `'${ch}' (${hex})`;
}

/** For one character (one code point). */
export const isControl = (ch: string) => isControlCodePoint(ch.codePointAt(0) ?? 0);
export const isInvisible = (ch: string) => FORMAT.test(ch) || FILLERS.has(ch.codePointAt(0) ?? 0);
export const isSpace = (ch: string) => SPACE.test(ch);

/** The first control character of `s` with its index (in characters), if any. */
export function firstControlCharacter(s: string): { index: number; character: string } | undefined {
  const chars = Array.from(s);
  const index = chars.findIndex(isControl);
  return index < 0 ? undefined : { index, character: chars[index]! };
}

/** True when nothing of `s` shows: empty, spaces only, invisible characters only. */
export const isBlank = (s: string) => Array.from(s).every((ch) => isSpace(ch) || isInvisible(ch));

/**
 * A name or code stored exactly as given: 1 to `max` characters, not blank, no control character. The messages say
 * what to fix, and for a control character which one and where.
 */
export const exactText = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text` })
    .min(1, { error: `${what} must not be empty` })
    .max(max, { error: `${what} is at most ${max} characters` })
    .superRefine((s, ctx) => {
      const control = firstControlCharacter(s);
      if (control)
        ctx.addIssue({
          code: 'custom',
          message:
            `${what} must not contain control characters: ${describeCharacter(control.character)} at index ` +
            `${control.index}; remove it`,
        });
      else if (isBlank(s))
        ctx.addIssue({ code: 'custom', message: `${what} must not be blank (only spaces or invisible characters)` });
    });
