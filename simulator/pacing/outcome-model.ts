/**
 * The pure outcome model of the pacer: what a dialled number does (outcome), how long it rings and how long the
 * conversation lasts, and whether a lead is tried again. No I/O, no clock: randomness comes in as a `Random`,
 * time comes in as `now` (epoch ms).
 */
import type { CallOutcome, DurationDistribution, Pacing } from '../../contract/pacing.ts';
import { normal, type Random, seededRandom } from '../../core/random.ts';

/** The outcomes that can be drawn (`abandoned` is decided later by the dialing loop, never drawn). */
export type DrawnOutcome = Exclude<CallOutcome, 'abandoned'>;

/** Fixed draw order: changing it changes every seeded plan. */
export const DRAWN_OUTCOMES: readonly DrawnOutcome[] = [
  'answered',
  'busy',
  'no_answer',
  'answering_machine',
  'invalid_number',
];

export interface CallPlan {
  outcome: DrawnOutcome;
  /** How long the call rings before `outcome` happens, in ms. */
  ringMs: number;
  /** How long the conversation lasts once an agent has it, in ms (0 unless answered). */
  talkMs: number;
}

/** The parts of a `Pacing` that shape a call plan. */
export type CallPlanPacing = Pick<Pacing, 'outcomes' | 'ringTime' | 'talkTime'>;

/** Invalid numbers fail fast: they "ring" uniformly between 0 and this many ms, whatever `ringTime` says. */
export const INVALID_NUMBER_MAX_RING_MS = 1_000;

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** A duration in whole milliseconds (within the distribution's bounds). */
export function drawDuration(rng: Random, d: DurationDistribution): number {
  switch (d.distribution) {
    case 'fixed':
      return Math.round(d.seconds * 1000);
    case 'uniform': {
      const minMs = d.minSeconds * 1000;
      const maxMs = d.maxSeconds * 1000;
      return clamp(Math.round(minMs + rng() * (maxMs - minMs)), minMs, maxMs);
    }
    case 'lognormal': {
      // median * e^(sigma * Z): the median of a lognormal is e^mu, whatever sigma is.
      const ms = d.medianSeconds * 1000 * Math.exp(d.sigma * normal(rng));
      return clamp(Math.round(ms), d.minSeconds * 1000, d.maxSeconds * 1000);
    }
  }
}

/** The weights as probabilities summing to 1, in `DRAWN_OUTCOMES` order. Throws when no weight is above 0. */
export function normaliseWeights(weights: Pacing['outcomes']): Record<DrawnOutcome, number> {
  const total = DRAWN_OUTCOMES.reduce((s, o) => s + weightOf(weights, o), 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new RangeError('outcome weights must be finite and at least one must be above 0');
  }
  const out = {} as Record<DrawnOutcome, number>;
  for (const o of DRAWN_OUTCOMES) out[o] = weightOf(weights, o) / total;
  return out;
}

function weightOf(weights: Pacing['outcomes'], o: DrawnOutcome): number {
  const w = weights[o];
  return Number.isFinite(w) && w > 0 ? w : 0;
}

/** One outcome, with probability proportional to its weight; a weight of 0 is never drawn. */
export function drawOutcome(rng: Random, weights: Pacing['outcomes']): DrawnOutcome {
  const probs = normaliseWeights(weights);
  const u = rng();
  let cumulative = 0;
  let lastPositive: DrawnOutcome | undefined;
  for (const o of DRAWN_OUTCOMES) {
    const p = probs[o];
    if (p <= 0) continue;
    lastPositive = o;
    cumulative += p;
    if (u < cumulative) return o;
  }
  // Rounding can leave the cumulative sum a hair under 1.
  return lastPositive!;
}

/** Draws outcome, then ring time, then (answered only) talk time, from `rng`. */
export function drawCallPlan(rng: Random, pacing: CallPlanPacing): CallPlan {
  const outcome = drawOutcome(rng, pacing.outcomes);
  const ringMs =
    outcome === 'invalid_number' ? Math.round(rng() * INVALID_NUMBER_MAX_RING_MS) : drawDuration(rng, pacing.ringTime);
  const talkMs = outcome === 'answered' ? drawDuration(rng, pacing.talkTime) : 0;
  return { outcome, ringMs, talkMs };
}

/**
 * The plan of call number `callIndex` of the campaign seeded `seed`. Each call gets its own stream
 * (`seededRandom(seed, callIndex)`), so the plan does not depend on what was drawn before: restart-safe.
 */
export function callPlanFor(seed: string | number, callIndex: number, pacing: CallPlanPacing): CallPlan {
  return drawCallPlan(seededRandom(seed, callIndex), pacing);
}

/** Busy and no-answer leads are tried again (up to `maxRetries` times); everything else is final. */
export function isRetryable(outcome: CallOutcome): outcome is 'busy' | 'no_answer' {
  return outcome === 'busy' || outcome === 'no_answer';
}

export type NextAttempt = { retry: true; at: number } | { retry: false; finalStatus: CallOutcome };

export interface NextAttemptInput {
  /** Calls already placed to this lead, counting the one that just ended (>= 1). */
  attempts: number;
  /** The outcome of the call that just ended. */
  outcome: CallOutcome;
  pacing: Pick<Pacing, 'maxRetries' | 'retryDelaySeconds'>;
  /** Epoch ms at which the call ended. */
  now: number;
}

/**
 * What happens to a lead after a call: a retry at `now + retryDelaySeconds` when the outcome is retryable and fewer
 * than `maxRetries` retries were made (so at most `1 + maxRetries` calls in all), otherwise the lead is closed with
 * the last outcome as its final status.
 */
export function nextAttempt({ attempts, outcome, pacing, now }: NextAttemptInput): NextAttempt {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`attempts must be an integer >= 1 (the call that just ended counts), got ${attempts}`);
  }
  const retriesDone = attempts - 1;
  if (isRetryable(outcome) && retriesDone < pacing.maxRetries) {
    return { retry: true, at: now + pacing.retryDelaySeconds * 1000 };
  }
  return { retry: false, finalStatus: outcome };
}
