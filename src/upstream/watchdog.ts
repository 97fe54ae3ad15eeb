/**
 * One timer for a whole upstream exchange. `touch()`, `pause()` and `resume()` are called per streamed chunk, so they
 * only record state; the timer re-arms itself for the remaining time instead of being cleared and set per token.
 */
export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = Date.now();
  private paused = false;
  private limitMs: number;

  constructor(
    limitMs: number,
    private readonly onExpire: () => void,
  ) {
    this.limitMs = limitMs;
    this.arm(limitMs);
  }

  /**
   * Restarts the countdown with a new limit (e.g. from time-to-first-byte to idle-between-chunks). Re-armed, not just
   * touched: the running timer was set for the old limit, and a shorter new one must not wait for it.
   */
  reset(limitMs: number): void {
    this.limitMs = limitMs;
    this.touch();
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.arm(limitMs);
  }

  touch(): void {
    this.last = Date.now();
  }

  /**
   * Nothing is being awaited from the upstream (a stream's chunk was handed on and the client has not asked for the
   * next): the limit does not run, so a client that reads slowly cannot make a healthy upstream look stalled.
   */
  pause(): void {
    this.paused = true;
  }

  /** A read from the upstream began: the limit runs again, counted from now. */
  resume(): void {
    this.paused = false;
    this.last = Date.now();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const remaining = this.paused ? this.limitMs : this.last + this.limitMs - Date.now();
      if (remaining > 0) this.arm(remaining);
      else {
        this.timer = undefined;
        this.onExpire();
      }
    }, ms);
  }
}
