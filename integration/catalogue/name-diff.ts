import { z } from '@hono/zod-openapi';
import { describeCharacter, isInvisible, isSpace } from '../../contract/text.ts';

/**
 * How two names that look alike differ, character by character: which characters, where, and of what kind (case,
 * accents, a leading or trailing space, a no-break space for a space, an invisible character…). The drift check
 * says this to the person who must fix one of the names, so that "Banheiro " vs "Banheiro" is not a riddle.
 */

export const CharacterDifferenceKind = z.enum([
  /** Same letter, other case: 'b' / 'B'. */
  'case',
  /** Same letter, other accent (or one without): 'c' / 'ç'. */
  'accents',
  /** Same text, other Unicode encoding (composed 'ç' vs 'c' + combining cedilla). */
  'unicode',
  /** Whitespace at the start of one name only. */
  'leading_space',
  /** Whitespace at the end of one name only. */
  'trailing_space',
  /** Whitespace inside one name only (a doubled space, a space the other lacks). */
  'inner_space',
  /** Two different space characters at the same place (a no-break space for a space). */
  'space_character',
  /** A character that shows nothing (zero-width space, joiner, BOM, soft hyphen…) in one name only. */
  'invisible',
  /** Anything else: the names really differ there. */
  'other',
]);
export type CharacterDifferenceKind = z.infer<typeof CharacterDifferenceKind>;

export const CharacterDifference = z
  .object({
    kind: CharacterDifferenceKind,
    /** Index (in characters, from 0) in the Omni name, or null when the character is only in the dialer's. */
    omniIndex: z.number().int().nullable(),
    /** Index in the dialer's name, or null when the character is only in Omni's. */
    dialerIndex: z.number().int().nullable(),
    /** The character(s) on each side, as code points ("U+00A0 NO-BREAK SPACE", "'ç' (U+00E7)"), or null. */
    omni: z.string().nullable(),
    dialer: z.string().nullable(),
    description: z.string(),
  })
  .openapi('OmniNameCharacterDifference');
export type CharacterDifference = z.infer<typeof CharacterDifference>;

type Op =
  | { op: 'pair'; a: number; b: number } // the same letter at this place, maybe in another case or accent
  | { op: 'omni'; a: number } // only in the Omni name
  | { op: 'dialer'; b: number }; // only in the dialer's name

const fold = (ch: string) => ch.toLocaleLowerCase('pt-BR');
const bare = (ch: string) => ch.normalize('NFD').replace(/\p{M}/gu, '');
const isMark = (ch: string) => /^\p{M}$/u.test(ch);

/** What stays of a character when case, accents and the kind of space do not count. */
const looseKey = (ch: string) => (isSpace(ch) ? ' ' : fold(bare(ch)) || ch);

/**
 * Aligns two short strings (names are a few dozen characters) by their longest common subsequence of loose keys, so
 * that 'B' pairs with 'b' and 'ç' with 'c', and what is left over is a character only one name has.
 */
function align(a: string[], b: string[]): Op[] {
  const ka = a.map(looseKey);
  const kb = b.map(looseKey);
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i]![j] = ka[i] === kb[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) ops.push({ op: 'pair', a: i++, b: j++ });
    else if (j < m && (i === n || L[i]![j + 1]! >= L[i + 1]![j]!)) ops.push({ op: 'dialer', b: j++ });
    else ops.push({ op: 'omni', a: i++ });
  }
  return ops;
}

function substitution(x: string, y: string): CharacterDifferenceKind {
  if (isSpace(x) && isSpace(y)) return 'space_character';
  if (fold(x) === fold(y)) return 'case';
  return 'accents';
}

function lone(ch: string, index: number, chars: string[]): CharacterDifferenceKind {
  if (isSpace(ch)) {
    if (chars.slice(0, index).every(isSpace)) return 'leading_space';
    if (chars.slice(index + 1).every(isSpace)) return 'trailing_space';
    return 'inner_space';
  }
  if (isInvisible(ch)) return 'invisible';
  if (isMark(ch)) return 'accents';
  return 'other';
}

const WHAT: Record<CharacterDifferenceKind, string> = {
  case: 'upper/lower case',
  accents: 'accent',
  unicode: 'Unicode encoding',
  leading_space: 'leading space',
  trailing_space: 'trailing space',
  inner_space: 'extra space',
  space_character: 'different space character',
  invisible: 'invisible character',
  other: 'different character',
};

/**
 * The character differences between the Omni name and the dialer's. Names equal after Unicode normalization (NFC)
 * differ only by encoding: one 'unicode' difference. Otherwise each differing character is classified.
 */
export function characterDifferences(omniName: string, dialerName: string): CharacterDifference[] {
  if (omniName === dialerName) return [];
  const a = Array.from(omniName);
  const b = Array.from(dialerName);
  if (omniName.normalize('NFC') === dialerName.normalize('NFC')) {
    const first = a.findIndex((ch, i) => ch !== b[i]);
    return [
      {
        kind: 'unicode',
        omniIndex: first,
        dialerIndex: first,
        omni: a[first] ? describeCharacter(a[first]!) : null,
        dialer: b[first] ? describeCharacter(b[first]!) : null,
        description:
          `the names look identical but are encoded differently from index ${first} (composed vs decomposed ` +
          'accents): retype the name',
      },
    ];
  }
  const out: CharacterDifference[] = [];
  for (const op of align(a, b)) {
    if (op.op === 'pair') {
      if (a[op.a] === b[op.b]) continue;
      const kind = substitution(a[op.a]!, b[op.b]!);
      const omni = describeCharacter(a[op.a]!);
      const dialer = describeCharacter(b[op.b]!);
      out.push({
        kind,
        omniIndex: op.a,
        dialerIndex: op.b,
        omni,
        dialer,
        description: `${WHAT[kind]} at index ${op.a}: Omni has ${omni}, the dialer ${dialer}`,
      });
    } else if (op.op === 'omni') {
      const kind = lone(a[op.a]!, op.a, a);
      const omni = describeCharacter(a[op.a]!);
      out.push({
        kind,
        omniIndex: op.a,
        dialerIndex: null,
        omni,
        dialer: null,
        description: `${WHAT[kind]} ${omni} at index ${op.a} of the Omni name, not in the dialer's`,
      });
    } else {
      const kind = lone(b[op.b]!, op.b, b);
      const dialer = describeCharacter(b[op.b]!);
      out.push({
        kind,
        omniIndex: null,
        dialerIndex: op.b,
        omni: null,
        dialer,
        description: `${WHAT[kind]} ${dialer} at index ${op.b} of the dialer's name, not in Omni's`,
      });
    }
  }
  return out;
}
