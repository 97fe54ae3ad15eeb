/**
 * How long a stream may wait on a client that does not read before it is ended: it holds the upstream stream, the
 * deployment's busy count and the key's reservation and parallel slot meanwhile.
 */
const STALLED_CLIENT_MS = 5 * 60_000;

/**
 * One timer for a whole upstream exchange. `pause()` and `resume()` are called per streamed chunk, so they
 * only record state; the timer re-arms itself for the remaining time instead of being cleared and set per token.
 */
export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = Date.now();
  private paused = false;
  private firesAt = 0;
  private limitMs: number;

  constructor(
    limitMs: number,
    private readonly onExpire: () => void,
    private readonly stalledClientMs = STALLED_CLIENT_MS,
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
   * next): the idle limit does not run, so a client that reads slowly cannot make a healthy upstream look stalled;
   * a client that stops reading altogether is cut after STALLED_CLIENT_MS.
   */
  pause(): void {
    this.paused = true;
    this.last = Date.now();
  }

  /** A read from the upstream began: the limit runs again, counted from now. */
  resume(): void {
    this.paused = false;
    this.last = Date.now();
    // Re-armed only when the timer was pushed out to the stalled-client limit during a long pause.
    if (this.timer !== undefined && this.firesAt > this.last + this.limitMs) {
      clearTimeout(this.timer);
      this.arm(this.limitMs);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.firesAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      // Paused, the limit is the client's: one that stops reading but keeps the connection still gets cut, later.
      const limit = this.paused ? Math.max(this.limitMs, this.stalledClientMs) : this.limitMs;
      const remaining = this.last + limit - Date.now();
      if (remaining > 0) this.arm(remaining);
      else {
        this.timer = undefined;
        this.onExpire();
      }
    }, ms);
  }
}
