import { describe, expect, it } from 'vitest';
import { newCallId } from '../../src/http/call-id';

describe('call ids', () => {
  it('are UUID-shaped (v7 layout), all distinct, and do not count up visibly', () => {
    const ids = Array.from({ length: 5000 }, () => newCallId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Consecutive ids differ in their tail, but not as +1 of a readable counter.
    const tail = (id: string) => parseInt(id.slice(-8), 16);
    const steps = ids.slice(1).map((id, i) => tail(id) - tail(ids[i]!));
    expect(steps.filter((d) => Math.abs(d) < 256).length).toBeLessThan(ids.length * 0.01);
  });

  it('start with the time in ms, so ids made later sort after earlier ones (spend logs are appended, not scattered)', async () => {
    const first = newCallId();
    const stamp = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(Math.abs(stamp(first) - Date.now())).toBeLessThan(1000);
    const later: string[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      later.push(newCallId());
    }
    expect([first, ...later]).toEqual([first, ...later].sort());
    expect(stamp(later[2]!)).toBeGreaterThan(stamp(first));
  });
});
