import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bindings } from '../../src/env';
import { CONFIG_KV_KEY, currentRoutingTable, getRoutingTable, ISOLATE_CACHE_MS, remember } from '../../src/deployments/config-cache';
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

  it('keeps its table when KV still holds the same version, and takes the next version when it appears', async () => {
    const kv = (env as unknown as Bindings).GATEWAY_KV;
    const config = { ...emptyConfig(), version: 7 };
    await kv.put(CONFIG_KV_KEY, JSON.stringify(config));
    const t0 = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(t0);
    const table = remember(config);

    // The re-read finds the same version: the isolate keeps routing with the table it has, not a rebuilt copy.
    now.mockReturnValue(t0 + ISOLATE_CACHE_MS + 1);
    expect(await getRoutingTable(env as unknown as Bindings)).toBe(table);
    expect(currentRoutingTable()).toBe(table);

    // An admin change elsewhere (a higher version) is picked up at the next re-read.
    await kv.put(CONFIG_KV_KEY, JSON.stringify({ ...config, version: 8, router_settings: { num_retries: 1 } }));
    now.mockReturnValue(t0 + 2 * (ISOLATE_CACHE_MS + 1));
    const next = await getRoutingTable(env as unknown as Bindings);
    expect(next).not.toBe(table);
    expect(next.config.version).toBe(8);
  });
});
