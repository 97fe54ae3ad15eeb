import { describe, expect, it } from 'vitest';
import { SlidingWindow, WINDOW_MS } from '../../src/keys/ledger-windows';

describe('SlidingWindow', () => {
  it('stays bounded for a key that is never read (no rate limits): a day of 50 req/s holds about one minute', () => {
    const w = new SlidingWindow();
    const start = 1_000_000;
    const events = 24 * 3600 * 50;
    for (let i = 0; i < events; i++) w.add(start + i * 20, 1);
    // A minute at 50/s is 3,000 events; compaction runs once the expired prefix outgrows the rest.
    expect(w.held).toBeLessThan(3 * 3000);
    const now = start + (events - 1) * 20;
    expect(w.total(now)).toBe(WINDOW_MS / 20);
  });

  it('still counts exactly what is inside the window', () => {
    const w = new SlidingWindow();
    for (let t = 0; t < 10; t++) w.add(t * 10_000, 2);
    expect(w.total(90_000)).toBe(12); // events at 40 s … 90 s
    expect(w.total(200_000)).toBe(0);
  });
});
