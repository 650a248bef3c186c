import { describe, expect, it } from 'vitest';
import { describeCharacter, exactText, isBlank } from './text.ts';

const Name = exactText('name', 20);
const message = (value: unknown) => Name.safeParse(value).error?.issues[0]?.message;

describe('exactText', () => {
  it('keeps a name exactly as given, leading and trailing spaces included', () => {
    expect(Name.parse('Banheiro ')).toBe('Banheiro ');
    expect(Name.parse(' Almoço')).toBe(' Almoço');
    expect(Name.parse('Pausa\u00a0Café')).toBe('Pausa\u00a0Café');
  });

  it('refuses empty and blank names, invisible-only ones included', () => {
    expect(message('')).toBe('name must not be empty');
    expect(message('   ')).toMatch(/must not be blank/);
    expect(message('\u200b\u00a0')).toMatch(/must not be blank/);
  });

  it('refuses NUL and other control characters, saying which and where', () => {
    expect(message('Almo\u0000ço')).toBe('name must not contain control characters: U+0000 NUL at index 4; remove it');
    expect(message('Venda\tfeita')).toContain('U+0009 TAB at index 5');
    expect(message('Linha\nnova')).toContain('U+000A LINE FEED');
    expect(message('x\u0085')).toContain('U+0085 at index 1');
  });

  it('refuses names over the limit', () => {
    expect(message('x'.repeat(21))).toBe('name is at most 20 characters');
  });
});

describe('describeCharacter', () => {
  it('names invisible and space characters by code point, shows visible ones', () => {
    expect(describeCharacter('\u00a0')).toBe('U+00A0 NO-BREAK SPACE');
    expect(describeCharacter('\u200b')).toBe('U+200B ZERO WIDTH SPACE');
    expect(describeCharacter('ç')).toBe("'ç' (U+00E7)");
    expect(isBlank('\ufeff ')).toBe(true);
    expect(isBlank(' a ')).toBe(false);
  });
});
