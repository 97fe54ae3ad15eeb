/**
 * One timer for a whole upstream exchange. `touch()` is called per streamed chunk, so it only records a timestamp;
 * the timer re-arms itself for the remaining time instead of being cleared and set per token.
 */
export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = Date.now();
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

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const remaining = this.last + this.limitMs - Date.now();
      if (remaining > 0) this.arm(remaining);
      else {
        this.timer = undefined;
        this.onExpire();
      }
    }, ms);
  }
}
