/**
 * Lets a long-lived stream loop sleep until something happens or a heartbeat is due. `wake()` before `wait()` is not
 * lost: the next wait returns at once. Real time on purpose: heartbeats keep network connections alive.
 */
export class Waker {
  #wake: (() => void) | undefined;
  #pending = false;

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }

  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
