import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bindings } from '../../src/env';
import { currentRoutingTable, getRoutingTable, ISOLATE_CACHE_MS, remember } from '../../src/deployments/config-cache';
import { emptyConfig } from '../../src/deployments/schema';

afterEach(() => vi.restoreAllMocks());

describe('routing table cache', () => {
  it('keeps serving an expired copy while one request re-reads KV, then serves what it read', async () => {
    const t0 = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(t0);
    // Older than anything in KV, so the re-read replaces it.
    const stale = remember({ ...emptyConfig(), version: -1 });
    expect(currentRoutingTable()).toBe(stale);

    now.mockReturnValue(t0 + ISOLATE_CACHE_MS + 1);
    expect(currentRoutingTable()).toBeUndefined();
    const reading = getRoutingTable(env as unknown as Bindings);
    // Requests arriving during the read are not made to read too: they route with the copy they have.
    expect(currentRoutingTable()).toBe(stale);
    const fresh = await reading;
    expect(fresh).not.toBe(stale);
    expect(fresh.config.version).toBeGreaterThanOrEqual(0);
    expect(currentRoutingTable()).toBe(fresh);
  });
});
