import { describe, expect, it } from 'vitest';
import { Watchdog } from '../../src/upstream/watchdog';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stream watchdog', () => {
  it('does not count time the client takes to ask for the next chunk against the idle limit', async () => {
    let expired = false;
    const dog = new Watchdog(100, () => (expired = true), 1_000);
    dog.pause(); // a chunk went to the client, which reads again only 300 ms later
    await sleep(300);
    expect(expired).toBe(false);
    dog.resume(); // waiting on the upstream again: the idle limit runs from now
    await sleep(250);
    expect(expired).toBe(true);
  });

  it('still ends a stream whose client stops reading altogether, after the stalled-client limit', async () => {
    let expiredAt = 0;
    const started = Date.now();
    const dog = new Watchdog(100, () => (expiredAt = Date.now()), 400);
    dog.pause();
    await sleep(700);
    dog.stop();
    expect(expiredAt).toBeGreaterThan(0);
    expect(expiredAt - started).toBeGreaterThanOrEqual(380);
  });
});
