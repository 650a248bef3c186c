import { z } from '@hono/zod-openapi';
import type { PauseEntry } from '../../contract/organizations.ts';
import { isInvisible } from '../../contract/text.ts';
import { CharacterDifference, characterDifferences } from './name-diff.ts';

/**
 * Pause catalogue drift: the seed says an Omni pause must have *exactly* the dialer's name and the dialer's ID Status.
 * This compares Omni's pauses with the dialer's catalogue, joined on ID Status, and reports every difference. It never
 * fixes anything and never pairs pauses by a guess: a near-identical name is described, not mapped.
 */

/** Ways two names can differ and still look alike to a person. */
export const NameDifference = z.enum(['unicode', 'case', 'accents', 'spaces', 'invisible']);
export type NameDifference = z.infer<typeof NameDifference>;

export const DriftPause = z.object({ id: z.string().optional(), name: z.string(), idStatus: z.number().int() });
export type OmniPauseLike = z.infer<typeof DriftPause>;

export const PauseDriftFinding = z
  .discriminatedUnion('kind', [
    z.object({
      /** Same ID Status on both sides, different names. */
      kind: z.literal('name_differs'),
      /** The Omni pause. */
      pause: DriftPause,
      dialerName: z.string(),
      /**
       * The smallest set of differences that explains the mismatch (for example ['case', 'accents'] for
       * "almoco" vs "Almoço"); null when the names differ by more than that.
       */
      onlyBy: z.array(NameDifference).nullable(),
      /**
       * When the names differ only by look-alike changes (`onlyBy` not null): each differing character, where and
       * what (a trailing space, a no-break space, a zero-width character, 'c' for 'ç'…); null otherwise.
       */
      differences: z.array(CharacterDifference).nullable(),
      message: z.string(),
    }),
    z.object({
      /** An Omni pause whose ID Status the dialer does not have. */
      kind: z.literal('unknown_id_status'),
      pause: DriftPause,
      /** When the dialer has a pause of (nearly) the same name under another ID Status: that one. Not applied. */
      dialerIdStatus: z.number().int().optional(),
      dialerName: z.string().optional(),
      message: z.string(),
    }),
    z.object({
      /** A dialer pause (not a system one such as LOGIN) that Omni lacks. */
      kind: z.literal('missing_in_omni'),
      /** The dialer's entry. */
      pause: DriftPause,
      message: z.string(),
    }),
  ])
  .openapi('OmniPauseDriftFinding');
export type PauseDriftFinding = z.infer<typeof PauseDriftFinding>;

export type PauseDriftKind = PauseDriftFinding['kind'];

const NORMALIZERS: Record<NameDifference, (s: string) => string> = {
  unicode: (s) => s.normalize('NFC'),
  case: (s) => s.toLocaleLowerCase('pt-BR'),
  accents: (s) => s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC'),
  spaces: (s) => s.replace(/[\s\p{Zs}]+/gu, ''),
  invisible: (s) =>
    Array.from(s)
      .filter((ch) => !isInvisible(ch))
      .join(''),
};
const ORDER: NameDifference[] = ['unicode', 'case', 'accents', 'spaces', 'invisible'];

/** Every subset of ORDER, smallest first (then in ORDER's order). */
const SUBSETS: NameDifference[][] = (() => {
  const all: NameDifference[][] = [];
  for (let mask = 1; mask < 1 << ORDER.length; mask++) all.push(ORDER.filter((_, i) => mask & (1 << i)));
  return all.sort((a, b) => a.length - b.length);
})();

const applyAll = (s: string, diffs: readonly NameDifference[]) =>
  ORDER.filter((d) => diffs.includes(d)).reduce((acc, d) => NORMALIZERS[d](acc), s);

/**
 * The smallest set of differences that makes the names equal; [] when they are already equal, null when no
 * combination of case, accents, spaces, invisible characters and Unicode normalization explains the difference.
 */
export function nameDifference(a: string, b: string): NameDifference[] | null {
  if (a === b) return [];
  for (const subset of SUBSETS) {
    // Accent stripping decomposes, so it already covers Unicode normalization: never report both.
    if (subset.includes('accents') && subset.includes('unicode')) continue;
    if (applyAll(a, subset) === applyAll(b, subset)) return subset;
  }
  return null;
}

const DIFF_WORDS: Record<NameDifference, string> = {
  unicode: 'Unicode encoding (they look identical but are different characters)',
  case: 'upper/lower case',
  accents: 'accents',
  spaces: 'spaces',
  invisible: 'invisible characters',
};

const describeDiff = (d: NameDifference[]) => {
  const words = d.map((x) => DIFF_WORDS[x]);
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
};

/** A name in quotes as JSON writes it, so that a trailing space or a \t shows. */
const quote = (name: string) => `'${JSON.stringify(name).slice(1, -1)}'`;
const show = (p: { name: string; idStatus: number }) => `${quote(p.name)} (ID Status ${p.idStatus})`;

/**
 * Compares Omni's pauses with the dialer's catalogue. Findings are ordered by ID Status, Omni-side findings before the
 * dialer-side one for the same ID Status.
 */
export function pauseCatalogueDrift(
  omniPauses: readonly OmniPauseLike[],
  dialerCatalogue: readonly PauseEntry[],
): PauseDriftFinding[] {
  const dialerById = new Map(dialerCatalogue.map((e) => [e.idStatus, e]));
  const omniIds = new Set(omniPauses.map((p) => p.idStatus));
  const findings: Array<PauseDriftFinding & { order: number }> = [];

  for (const p of omniPauses) {
    const d = dialerById.get(p.idStatus);
    if (d) {
      if (d.name === p.name) continue;
      const onlyBy = nameDifference(p.name, d.name);
      const differences = onlyBy ? characterDifferences(p.name, d.name) : null;
      const where = differences?.length ? ` (${differences.map((x) => x.description).join('; ')})` : '';
      const how = onlyBy ? `the names differ only by ${describeDiff(onlyBy)}${where}` : 'the names are different';
      findings.push({
        order: p.idStatus * 2,
        kind: 'name_differs',
        pause: p,
        dialerName: d.name,
        onlyBy,
        differences,
        message:
          `Omni pause ${show(p)} is called ${quote(d.name)} at the dialer: ${how}. The name must be exactly the ` +
          `dialer's: rename the Omni pause to ${quote(d.name)}, or correct the ID Status if it is the wrong pause.`,
      });
      continue;
    }
    const sameName = dialerCatalogue.find(
      (e) => !omniIds.has(e.idStatus) && (e.name === p.name || nameDifference(e.name, p.name) !== null),
    );
    findings.push({
      order: p.idStatus * 2,
      kind: 'unknown_id_status',
      pause: p,
      ...(sameName ? { dialerIdStatus: sameName.idStatus, dialerName: sameName.name } : {}),
      message:
        `Omni pause ${show(p)}: the dialer has no pause with ID Status ${p.idStatus}, so it cannot be requested.` +
        (sameName
          ? ` The dialer has ${show(sameName)}; if that is this pause, set its ID Status to ${sameName.idStatus}` +
            (sameName.name === p.name ? '.' : ` and its name to ${quote(sameName.name)}.`)
          : ' Register it at the dialer, or remove it from Omni.'),
    });
  }

  for (const e of dialerCatalogue) {
    if (e.system || omniIds.has(e.idStatus)) continue;
    findings.push({
      order: e.idStatus * 2 + 1,
      kind: 'missing_in_omni',
      pause: { name: e.name, idStatus: e.idStatus },
      message:
        `the dialer's pause ${show(e)} is not registered in Omni: agents cannot choose it, and when the dialer ` +
        `reports it Omni cannot name it. Create it in Omni with exactly that name and ID Status.`,
    });
  }

  return findings.sort((a, b) => a.order - b.order).map(({ order: _, ...f }) => f as PauseDriftFinding);
}
