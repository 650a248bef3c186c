import { describe, expect, it } from 'vitest';
import { normal, seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = seededRandom('campaign-1', 7);
    const b = seededRandom('campaign-1', 7);
    const c = seededRandom('campaign-1', 8);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });

  it('stays in [0, 1) with a mean near one half', () => {
    const r = seededRandom(42);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
  });

  it('normal() has mean ~0 and standard deviation ~1', () => {
    const r = seededRandom('n');
    const xs = Array.from({ length: 20_000 }, () => normal(r));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });
});
