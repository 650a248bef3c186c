import { z } from '@hono/zod-openapi';

/** What a dialled number does. `abandoned` is never drawn: it happens when an answered call finds no free agent in time. */
export const CallOutcome = z
  .enum(['answered', 'busy', 'no_answer', 'answering_machine', 'invalid_number', 'abandoned'])
  .openapi('CallOutcome');
export type CallOutcome = z.infer<typeof CallOutcome>;

/** Relative weights of each drawn outcome (normalised; they need not sum to 1). */
export const OutcomeWeights = z
  .object({
    answered: z.number().min(0).default(0.55),
    busy: z.number().min(0).default(0.1),
    no_answer: z.number().min(0).default(0.2),
    answering_machine: z.number().min(0).default(0.1),
    invalid_number: z.number().min(0).default(0.05),
  })
  .refine((w) => Object.values(w).some((v) => v > 0), { message: 'at least one outcome weight must be above 0' })
  .openapi('OutcomeWeights');
export type OutcomeWeights = z.infer<typeof OutcomeWeights>;

/** A duration distribution in seconds. */
export const DurationDistribution = z
  .discriminatedUnion('distribution', [
    z.object({ distribution: z.literal('fixed'), seconds: z.number().min(0) }),
    z
      .object({ distribution: z.literal('uniform'), minSeconds: z.number().min(0), maxSeconds: z.number().min(0) })
      .refine((d) => d.maxSeconds >= d.minSeconds, { message: 'maxSeconds must be >= minSeconds' }),
    z
      .object({
        distribution: z.literal('lognormal'),
        medianSeconds: z.number().positive(),
        sigma: z.number().min(0).max(3).default(0.6),
        minSeconds: z.number().min(0).default(0),
        maxSeconds: z.number().positive().default(3600),
      })
      .refine((d) => d.maxSeconds >= d.minSeconds, { message: 'maxSeconds must be >= minSeconds' }),
  ])
  .openapi('DurationDistribution');
export type DurationDistribution = z.infer<typeof DurationDistribution>;

export const PacingMode = z.enum(['progressive', 'predictive', 'scripted']).openapi('PacingMode');
export type PacingMode = z.infer<typeof PacingMode>;

/**
 * How a campaign dials. progressive: one line per free agent; predictive: `ratio` lines per free agent;
 * scripted: nothing is dialled except through the control API.
 */
export const Pacing = z
  .object({
    mode: PacingMode.default('progressive'),
    ratio: z.number().min(1).max(5).default(1.5).describe('lines per free agent (predictive only)'),
    outcomes: OutcomeWeights.default({
      answered: 0.55,
      busy: 0.1,
      no_answer: 0.2,
      answering_machine: 0.1,
      invalid_number: 0.05,
    }),
    ringTime: DurationDistribution.default({ distribution: 'uniform', minSeconds: 2, maxSeconds: 12 }),
    talkTime: DurationDistribution.default({
      distribution: 'lognormal',
      medianSeconds: 90,
      sigma: 0.6,
      minSeconds: 5,
      maxSeconds: 1800,
    }),
    abandonAfterSeconds: z
      .number()
      .min(0)
      .max(60)
      .default(2)
      .describe('answered calls wait this long for a free agent'),
    maxRetries: z.number().int().min(0).max(10).default(2).describe('retries of busy / no-answer leads'),
    retryDelaySeconds: z.number().int().min(0).max(86_400).default(300),
    tickMs: z.number().int().min(50).max(60_000).default(1_000).describe('how often the pacer looks for free agents'),
  })
  .openapi('Pacing');
export type Pacing = z.infer<typeof Pacing>;
