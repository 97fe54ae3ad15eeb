import type { WindowSnapshot } from './ledger-types';

export const WINDOW_MS = 60_000;

/**
 * A sliding one-minute window of weighted events (a request counts 1, a settled request its tokens). Exact: a limit
 * of 10 requests per minute admits exactly 10 in any 60 s span, unlike fixed-minute buckets.
 */
export class SlidingWindow {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private sum = 0;

  add(at: number, weight: number): void {
    this.times.push(at);
    this.weights.push(weight);
    this.sum += weight;
    // Pruned here too, not only when read: a key without rate limits never reads its windows, and they would grow
    // by every request it makes until the object runs out of memory (~21 bytes per event and window).
    this.prune(at);
  }

  /** Events held in memory (those inside the window, and expired ones not yet compacted away). */
  get held(): number {
    return this.times.length;
  }

  /** Total weight of events inside the window ending at `now`. */
  total(now: number): number {
    this.prune(now);
    return this.sum;
  }

  snapshot(limit: number, now: number, extra = 0): WindowSnapshot {
    const used = this.total(now) + extra;
    const oldest = this.times[this.head];
    return {
      limit,
      remaining: Math.max(0, limit - used),
      resetSeconds: oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
    };
  }

  /** The events still inside the window at `now`, as [time, weight]: what a regenerated key hands its successor. */
  events(now: number): [number, number][] {
    this.prune(now);
    return this.times.slice(this.head).map((t, i) => [t, this.weights[this.head + i]!]);
  }

  /** Takes in another window's events, kept in time order (pruning stops at the first event still inside). */
  merge(events: readonly [number, number][]): void {
    if (events.length === 0) return;
    const all = [...this.times.slice(this.head).map((t, i): [number, number] => [t, this.weights[this.head + i]!]), ...events];
    all.sort((a, b) => a[0] - b[0]);
    this.times = all.map((e) => e[0]);
    this.weights = all.map((e) => e[1]);
    this.head = 0;
    this.sum = this.weights.reduce((a, b) => a + b, 0);
  }

  private prune(now: number): void {
    const cutoff = now - WINDOW_MS;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.sum -= this.weights[this.head]!;
      this.head++;
    }
    // Compact occasionally so the arrays do not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }
}
