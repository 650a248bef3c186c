import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { RealClock } from '../../core/clock.ts';

type Elu = () => EventLoopUtilization;
type Sample = { at: number; omni: EventLoopUtilization; dialer: EventLoopUtilization | undefined };

/** How busy each thread's event loop was (0–1): the Omni side's (this thread) and the dialer's worker thread. */
export type Utilization = { omni: number; dialer: number | null };

/**
 * Samples the event-loop utilization of this thread and of the dialer's worker thread every `everyMs`, so that
 * afterwards a run can read how busy each was over its own span (`between`: the span of the database stamps, which
 * excludes the run's setup and idle waits). Stamps are the real clock's epoch ms, like the database columns.
 */
export class UtilizationSampler {
  readonly #samples: Sample[] = [];
  readonly #clock = new RealClock();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly dialer: Elu | undefined,
    everyMs = 50,
  ) {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  #sample(): void {
    this.#samples.push({ at: this.#clock.now(), omni: performance.eventLoopUtilization(), dialer: this.dialer?.() });
  }

  /** Utilization between the samples that enclose [fromMs, toMs]; null for the dialer when it shares this thread. */
  between(fromMs: number, toMs: number): Utilization {
    this.#sample();
    const first = this.#samples.findLast((s) => s.at <= fromMs) ?? this.#samples[0]!;
    const last = this.#samples.find((s) => s.at >= toMs) ?? this.#samples.at(-1)!;
    const ratio = (a: EventLoopUtilization, b: EventLoopUtilization) =>
      Math.round(performance.eventLoopUtilization(b, a).utilization * 100) / 100;
    return {
      omni: ratio(first.omni, last.omni),
      dialer: first.dialer && last.dialer ? ratio(first.dialer, last.dialer) : null,
    };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
