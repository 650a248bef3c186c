import { describe, expect, it } from 'vitest';
import { type DurationDistribution, Pacing } from '../../contract/pacing.ts';
import { seededRandom } from '../../core/random.ts';
import {
  callPlanFor,
  DRAWN_OUTCOMES,
  type DrawnOutcome,
  drawCallPlan,
  drawDuration,
  drawOutcome,
  INVALID_NUMBER_MAX_RING_MS,
  isRetryable,
  nextAttempt,
  normaliseWeights,
} from './outcome-model.ts';

const N = 50_000;

function frequencies(weights: Pacing['outcomes'], seed: string): Record<DrawnOutcome, number> {
  const rng = seededRandom(seed);
  const counts = Object.fromEntries(DRAWN_OUTCOMES.map((o) => [o, 0])) as Record<DrawnOutcome, number>;
  for (let i = 0; i < N; i++) counts[drawOutcome(rng, weights)]++;
  for (const o of DRAWN_OUTCOMES) counts[o] /= N;
  return counts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('drawOutcome', () => {
  it('matches the default weights within 0.01 over 50,000 draws', () => {
    const weights = Pacing.parse({}).outcomes;
    const observed = frequencies(weights, 'outcomes-default');
    for (const o of DRAWN_OUTCOMES) expect(Math.abs(observed[o] - weights[o])).toBeLessThan(0.01);
  });

  it('normalises weights that do not sum to 1', () => {
    const weights = { answered: 6, busy: 2, no_answer: 1, answering_machine: 1, invalid_number: 0 };
    expect(normaliseWeights(weights)).toEqual({
      answered: 0.6,
      busy: 0.2,
      no_answer: 0.1,
      answering_machine: 0.1,
      invalid_number: 0,
    });
    const observed = frequencies(weights, 'outcomes-unnormalised');
    expect(Math.abs(observed.answered - 0.6)).toBeLessThan(0.01);
    expect(Math.abs(observed.busy - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(observed.no_answer - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(observed.answering_machine - 0.1)).toBeLessThan(0.01);
  });

  it('never draws an outcome whose weight is 0', () => {
    const weights = { answered: 0, busy: 1, no_answer: 0, answering_machine: 3, invalid_number: 0 };
    const observed = frequencies(weights, 'outcomes-zero');
    expect(observed.answered).toBe(0);
    expect(observed.no_answer).toBe(0);
    expect(observed.invalid_number).toBe(0);
    expect(Math.abs(observed.busy - 0.25)).toBeLessThan(0.01);
  });

  it('always draws the only positive outcome, even at the top of the [0, 1) range', () => {
    const weights = { answered: 0, busy: 0, no_answer: 0, answering_machine: 0, invalid_number: 0.3 };
    expect(drawOutcome(() => 0, weights)).toBe('invalid_number');
    expect(drawOutcome(() => 0.999_999_999_999, weights)).toBe('invalid_number');
    const last = { answered: 1, busy: 0, no_answer: 0, answering_machine: 0, invalid_number: 0 };
    expect(drawOutcome(() => 0.999_999_999_999, last)).toBe('answered');
  });

  it('rejects weights that are all 0', () => {
    const weights = { answered: 0, busy: 0, no_answer: 0, answering_machine: 0, invalid_number: 0 };
    expect(() => drawOutcome(seededRandom(1), weights)).toThrow(RangeError);
  });
});

describe('drawDuration', () => {
  it('returns a fixed duration in ms without consuming randomness', () => {
    let calls = 0;
    const rng = () => {
      calls++;
      return 0.5;
    };
    expect(drawDuration(rng, { distribution: 'fixed', seconds: 2.5 })).toBe(2_500);
    expect(drawDuration(rng, { distribution: 'fixed', seconds: 0 })).toBe(0);
    expect(calls).toBe(0);
  });

  it('keeps uniform draws inside [min, max] and spreads them over the range', () => {
    const d: DurationDistribution = { distribution: 'uniform', minSeconds: 2, maxSeconds: 12 };
    const rng = seededRandom('uniform');
    const xs = Array.from({ length: N }, () => drawDuration(rng, d));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...xs)).toBeLessThanOrEqual(12_000);
    expect(Math.min(...xs)).toBeLessThan(2_100);
    expect(Math.max(...xs)).toBeGreaterThan(11_900);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 7_000)).toBeLessThan(100);
    expect(xs.every(Number.isInteger)).toBe(true);
  });

  it('handles a degenerate uniform range', () => {
    expect(drawDuration(seededRandom(3), { distribution: 'uniform', minSeconds: 4, maxSeconds: 4 })).toBe(4_000);
  });

  it('gives lognormal draws with the configured median (within 5%)', () => {
    const d: DurationDistribution = {
      distribution: 'lognormal',
      medianSeconds: 90,
      sigma: 0.6,
      minSeconds: 0,
      maxSeconds: 3_600,
    };
    const rng = seededRandom('lognormal');
    const xs = Array.from({ length: N }, () => drawDuration(rng, d));
    expect(Math.abs(median(xs) - 90_000) / 90_000).toBeLessThan(0.05);
    // Right-skewed: the mean sits above the median (e^(sigma^2/2) ~ 1.197).
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean / 90_000).toBeGreaterThan(1.15);
    expect(mean / 90_000).toBeLessThan(1.25);
  });

  it('clamps lognormal draws to [min, max], and actually hits both bounds', () => {
    const d: DurationDistribution = {
      distribution: 'lognormal',
      medianSeconds: 60,
      sigma: 1.5,
      minSeconds: 30,
      maxSeconds: 120,
    };
    const rng = seededRandom('lognormal-clamp');
    const xs = Array.from({ length: N }, () => drawDuration(rng, d));
    expect(Math.min(...xs)).toBe(30_000);
    expect(Math.max(...xs)).toBe(120_000);
    expect(Math.abs(median(xs) - 60_000) / 60_000).toBeLessThan(0.05);
  });

  it('gives exactly the median when sigma is 0', () => {
    const d: DurationDistribution = {
      distribution: 'lognormal',
      medianSeconds: 45,
      sigma: 0,
      minSeconds: 0,
      maxSeconds: 3_600,
    };
    expect(drawDuration(seededRandom('s0'), d)).toBe(45_000);
  });
});

describe('drawCallPlan / callPlanFor', () => {
  const pacing = Pacing.parse({});

  it('rings within ringTime, talks only when answered, and invalid numbers fail within 1 s', () => {
    const rng = seededRandom('plans');
    const seen = new Set<DrawnOutcome>();
    for (let i = 0; i < 20_000; i++) {
      const plan = drawCallPlan(rng, pacing);
      seen.add(plan.outcome);
      if (plan.outcome === 'invalid_number') {
        expect(plan.ringMs).toBeGreaterThanOrEqual(0);
        expect(plan.ringMs).toBeLessThanOrEqual(INVALID_NUMBER_MAX_RING_MS);
      } else {
        expect(plan.ringMs).toBeGreaterThanOrEqual(2_000);
        expect(plan.ringMs).toBeLessThanOrEqual(12_000);
      }
      if (plan.outcome === 'answered') {
        expect(plan.talkMs).toBeGreaterThanOrEqual(5_000);
        expect(plan.talkMs).toBeLessThanOrEqual(1_800_000);
      } else {
        expect(plan.talkMs).toBe(0);
      }
    }
    expect(seen).toEqual(new Set(DRAWN_OUTCOMES));
  });

  it('gives the same plan for the same seed and call index, whatever was drawn before', () => {
    const first = callPlanFor('campaign-7', 42, pacing);
    for (let i = 0; i < 41; i++) callPlanFor('campaign-7', i, pacing);
    expect(callPlanFor('campaign-7', 42, pacing)).toEqual(first);
    expect(drawCallPlan(seededRandom('campaign-7', 42), pacing)).toEqual(first);
  });

  it('gives (generally) different plans for different call indexes and seeds', () => {
    const key = (p: { outcome: string; ringMs: number; talkMs: number }) => `${p.outcome}/${p.ringMs}/${p.talkMs}`;
    const plans = new Set(Array.from({ length: 100 }, (_, i) => key(callPlanFor('campaign-7', i, pacing))));
    expect(plans.size).toBeGreaterThan(95);
    const other = Array.from({ length: 100 }, (_, i) => key(callPlanFor('campaign-8', i, pacing)));
    expect(other.filter((k) => plans.has(k)).length).toBeLessThan(5);
  });

  it('accepts a numeric seed', () => {
    expect(callPlanFor(1234, 0, pacing)).toEqual(drawCallPlan(seededRandom(1234, 0), pacing));
  });

  it('follows the configured outcome weights across call indexes', () => {
    const weighted = Pacing.parse({
      outcomes: { answered: 1, busy: 1, no_answer: 0, answering_machine: 0, invalid_number: 2 },
    });
    const counts: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const { outcome } = callPlanFor('weights', i, weighted);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    expect(counts.no_answer).toBeUndefined();
    expect(counts.answering_machine).toBeUndefined();
    expect(Math.abs(counts.answered! / N - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(counts.busy! / N - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(counts.invalid_number! / N - 0.5)).toBeLessThan(0.01);
  });
});

describe('isRetryable', () => {
  it('retries busy and no_answer only', () => {
    expect(isRetryable('busy')).toBe(true);
    expect(isRetryable('no_answer')).toBe(true);
    for (const o of ['answered', 'answering_machine', 'invalid_number', 'abandoned'] as const) {
      expect(isRetryable(o)).toBe(false);
    }
  });
});

describe('nextAttempt', () => {
  const pacing = { maxRetries: 2, retryDelaySeconds: 300 };
  const now = 1_700_000_000_000;

  it('retries a busy / no-answer lead after retryDelaySeconds, up to maxRetries times', () => {
    expect(nextAttempt({ attempts: 1, outcome: 'busy', pacing, now })).toEqual({ retry: true, at: now + 300_000 });
    expect(nextAttempt({ attempts: 2, outcome: 'no_answer', pacing, now })).toEqual({ retry: true, at: now + 300_000 });
    expect(nextAttempt({ attempts: 3, outcome: 'no_answer', pacing, now })).toEqual({
      retry: false,
      finalStatus: 'no_answer',
    });
    expect(nextAttempt({ attempts: 7, outcome: 'busy', pacing, now })).toEqual({ retry: false, finalStatus: 'busy' });
  });

  it('places at most 1 + maxRetries calls to a lead that is always busy', () => {
    for (const maxRetries of [0, 1, 2, 10]) {
      let attempts = 0;
      let t = 0;
      for (;;) {
        attempts++;
        const next = nextAttempt({ attempts, outcome: 'busy', pacing: { maxRetries, retryDelaySeconds: 60 }, now: t });
        if (!next.retry) break;
        expect(next.at).toBe(t + 60_000);
        t = next.at;
      }
      expect(attempts).toBe(1 + maxRetries);
    }
  });

  it('never retries when maxRetries is 0', () => {
    const next = nextAttempt({ attempts: 1, outcome: 'busy', pacing: { maxRetries: 0, retryDelaySeconds: 300 }, now });
    expect(next).toEqual({ retry: false, finalStatus: 'busy' });
  });

  it('retries immediately when retryDelaySeconds is 0', () => {
    const next = nextAttempt({ attempts: 1, outcome: 'busy', pacing: { maxRetries: 1, retryDelaySeconds: 0 }, now });
    expect(next).toEqual({ retry: true, at: now });
  });

  it('closes the lead with a non-retryable outcome as its final status, even on the first attempt', () => {
    for (const o of ['answered', 'answering_machine', 'invalid_number', 'abandoned'] as const) {
      expect(nextAttempt({ attempts: 1, outcome: o, pacing, now })).toEqual({ retry: false, finalStatus: o });
    }
  });

  it('accepts a full Pacing', () => {
    expect(nextAttempt({ attempts: 1, outcome: 'busy', pacing: Pacing.parse({}), now: 0 })).toEqual({
      retry: true,
      at: 300_000,
    });
  });

  it('rejects attempts below 1 or not whole', () => {
    expect(() => nextAttempt({ attempts: 0, outcome: 'busy', pacing, now })).toThrow(RangeError);
    expect(() => nextAttempt({ attempts: 1.5, outcome: 'busy', pacing, now })).toThrow(RangeError);
  });
});
