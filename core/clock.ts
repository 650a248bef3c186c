/**
 * Time for domain code. Nothing in core/, simulator/ or integration/ calls Date.now() or setTimeout directly:
 * a VirtualClock lets scenarios run a 30-second wrap-up window in milliseconds.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

// Node's timers overflow above 2^31-1 ms (~24.8 days); longer waits are chained.
const MAX_NODE_DELAY = 2_147_483_647;

export class RealClock implements Clock {
  readonly kind = 'real' as const;
  #next = 1;
  #timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { id: this.#next++ };
    const due = Date.now() + Math.max(0, ms);
    const arm = () => {
      const wait = Math.min(Math.max(0, due - Date.now()), MAX_NODE_DELAY);
      const t = setTimeout(() => {
        if (Date.now() < due) return arm();
        this.#timers.delete(handle.id);
        fn();
      }, wait);
      t.unref();
      this.#timers.set(handle.id, t);
    };
    arm();
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.#timers.get(handle.id);
    if (t) clearTimeout(t);
    this.#timers.delete(handle.id);
  }
}

type VirtualTimer = { id: number; due: number; fn: () => void };

/** A clock that only moves when told to; due timers fire in (due time, creation) order. */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  #now: number;
  #next = 1;
  #timers: VirtualTimer[] = [];

  /** Starts at `start`, by default the real time of creation (so certificates made today are valid on it). */
  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#next++, due: this.#now + Math.max(0, ms), fn };
    // Keep the list sorted by (due, id); insertion point found by binary search.
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.#timers[mid]!;
      if (m.due < timer.due || (m.due === timer.due && m.id < timer.id)) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const i = this.#timers.findIndex((t) => t.id === handle.id);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way, in order. Returns how many fired. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    return this.#runUntil(this.#now + ms);
  }

  /** Jumps to an absolute time (never backwards), firing due timers on the way. */
  set(epochMs: number): number {
    if (epochMs < this.#now) throw new RangeError('a virtual clock never goes backwards');
    return this.#runUntil(epochMs);
  }

  /**
   * Like advance, but lets pending promises and I/O settle after each timer: for code whose timer callbacks start
   * async work (HTTP calls between the two sides) that must finish before the next timer runs.
   */
  async advanceAsync(ms: number): Promise<number> {
    const target = this.#now + ms;
    let fired = 0;
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const t = this.#timers[0];
      if (!t || t.due > target) break;
      this.#timers.shift();
      this.#now = t.due;
      t.fn();
      fired++;
    }
    this.#now = target;
    return fired;
  }

  #runUntil(target: number): number {
    let fired = 0;
    for (;;) {
      const t = this.#timers[0];
      if (!t || t.due > target) break;
      this.#timers.shift();
      this.#now = t.due;
      t.fn();
      fired++;
    }
    this.#now = target;
    return fired;
  }
}
