import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { looksLikeFormula, neutralizeFormulaCell, restoreFormulaCell, toSafeCsv } from './csv-safe.ts';

describe('toSafeCsv', () => {
  it('writes text cells starting with = + - @ tab or CR behind a single quote, so spreadsheets show them as text', () => {
    const csv = toSafeCsv([
      ['name', 'phone'],
      ['=HYPERLINK("https://evil.example","clique")', '+5511987654321'],
      ["-2+3+cmd|' /C calc'!A0", '@SUM(A1:A9)'],
      ['\tTAB', '\rCR'],
    ]);
    expect(parse(csv, { relax_column_count: true })).toEqual([
      ['name', 'phone'],
      ['\'=HYPERLINK("https://evil.example","clique")', "'+5511987654321"],
      ["'-2+3+cmd|' /C calc'!A0", "'@SUM(A1:A9)"],
      ["'\tTAB", "'\rCR"],
    ]);
  });

  it('leaves numbers, empty cells and ordinary text alone', () => {
    expect(toSafeCsv([['Ana', -5, 1.5, null, '', "D'Ávila"]])).toBe("Ana,-5,1.5,,,D'Ávila\n");
  });

  it('quotes a cell holding a lone CR or LF whatever the line end, and writes the pt-BR Excel options', () => {
    expect(toSafeCsv([['a\rb', 'c\nd']])).toBe('"a\rb","c\nd"\n');
    expect(toSafeCsv([['x', '1,5']], { separator: ';', bom: true, lineEnd: 'windows' })).toBe('\uFEFFx;1,5\r\n');
  });
});

describe('restoreFormulaCell', () => {
  it('gives back exactly the value neutralizeFormulaCell was given, quotes included', () => {
    for (const v of ['=1+1', '+5511987654321', "'=x", "''@y", "'plain", 'plain', '', "'", '-', '\t', "O'Brien"])
      expect(restoreFormulaCell(neutralizeFormulaCell(v)), JSON.stringify(v)).toBe(v);
  });

  it('keeps a quote someone typed in front of ordinary text', () => {
    expect(restoreFormulaCell("'Ana")).toBe("'Ana");
  });
});

describe('looksLikeFormula', () => {
  it('flags what a spreadsheet would evaluate and not numbers or phone numbers', () => {
    for (const f of ['=1+1', '@SUM(A1)', '\t=x', '\rx', "+cmd|' /C calc'!A0", '-2+3+SUM(A1)'])
      expect(looksLikeFormula(f), f).toBe(true);
    for (const d of ['+55 (11) 98765-4321', '+5511987654321', '-12,50', 'Ana', "'=x", '', 'a=b'])
      expect(looksLikeFormula(d), d).toBe(false);
  });
});
