import { describe, expect, it } from 'vitest';
import { characterDifferences } from './name-diff.ts';

const kinds = (a: string, b: string) => characterDifferences(a, b).map((d) => [d.kind, d.omniIndex, d.dialerIndex]);

describe('characterDifferences', () => {
  it('finds nothing between equal names', () => {
    expect(characterDifferences('Almoço', 'Almoço')).toEqual([]);
  });

  it('tells leading, trailing and inner spaces apart, on either side', () => {
    expect(kinds('Banheiro ', 'Banheiro')).toEqual([['trailing_space', 8, null]]);
    expect(kinds('Banheiro', '  Banheiro')).toEqual([
      ['leading_space', null, 0],
      ['leading_space', null, 1],
    ]);
    expect(kinds('Pausa  Café', 'Pausa Café')).toEqual([['inner_space', 6, null]]);
  });

  it('names invisible characters and a different space character by code point', () => {
    const [zw] = characterDifferences('Banheiro\u200b', 'Banheiro');
    expect(zw).toMatchObject({ kind: 'invisible', omni: 'U+200B ZERO WIDTH SPACE', omniIndex: 8 });
    const [nbsp] = characterDifferences('Pausa\u00a0Café', 'Pausa Café');
    expect(nbsp).toMatchObject({ kind: 'space_character', omni: 'U+00A0 NO-BREAK SPACE', dialer: 'U+0020 SPACE' });
  });

  it('pairs letters that differ by case or accent at their place', () => {
    expect(kinds('almoco', 'Almoço')).toEqual([
      ['case', 0, 0],
      ['accents', 4, 4],
    ]);
    expect(kinds('BANHEIRO', 'Banheiro').every(([k]) => k === 'case')).toBe(true);
  });

  it('reports the same text in another Unicode encoding as one difference', () => {
    expect(characterDifferences('Almoc\u0327o', 'Almo\u00e7o')).toEqual([
      expect.objectContaining({ kind: 'unicode', omniIndex: 4 }),
    ]);
  });
});
