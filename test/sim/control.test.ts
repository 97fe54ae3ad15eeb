// Failure/latency knobs, the request log, and the control plane (config, spawn, close, refuse),
// including the fetch-only helper that workerd tests use.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSim } from '../helpers/sim';
import { startSimHub, type SimHub } from './index';
import { post } from './test-utils';

let hub: SimHub;

beforeAll(async () => {
  hub = await startSimHub();
});
afterAll(() => hub.close());

const chatAt = (base: string, headers: Record<string, string> = {}): Promise<Response> =>
  post(`${base}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }] }, headers);

/** Resolves to the connect error code, or 'connected'. */
const probe = (port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });

describe('failure and latency knobs', () => {
  it('status fails every inference request (with Retry-After on 429) but not info routes', async () => {
    const sim = await spawnSim(hub.url, { status: 429, retryAfterSeconds: 7 });
    try {
      const res = await chatAt(sim.url);
      expect([res.status, res.headers.get('retry-after')]).toEqual([429, '7']);
      expect(await res.json()).toEqual({
        error: { message: 'simulated failure', type: 'TooManyRequestsError', param: null, code: 429 },
      });
      expect((await fetch(`${sim.url}/v1/models`)).status).toBe(200);
      await sim.configure({ status: null });
      expect((await chatAt(sim.url)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('failNext fails the next N requests with 500, then recovers', async () => {
    const sim = await spawnSim(hub.url, { failNext: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await chatAt(sim.url)).status);
      expect(statuses).toEqual([500, 500, 200]);
      expect((await sim.configure({})).failNext).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('per-request headers override the config; latency delays the headers', async () => {
    const failed = await chatAt(hub.url, { 'x-sim-status': '503' });
    expect(((await failed.json()) as { error: { type: string } }).error.type).toBe('ServiceUnavailableError');
    const started = Date.now();
    expect((await chatAt(hub.url, { 'x-sim-latency-ms': '80' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});

describe('request log', () => {
  it('records method, path, query, headers, raw body, hash, json, status; skips /_sim', async () => {
    const sim = await spawnSim(hub.url);
    try {
      const raw = '{"messages":[{"role":"user","content":"héllo"}]}';
      await post(`${sim.url}/v1/chat/completions?a=1&b=2`, raw, { 'x-custom': 'yes' });
      await fetch(`${sim.url}/_sim/config`);
      const log = await sim.log();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        seq: 1,
        method: 'POST',
        path: '/v1/chat/completions',
        query: 'a=1&b=2',
        body: raw,
        bodyBytes: Buffer.byteLength(raw),
        bodySha256: createHash('sha256').update(raw).digest('hex'),
        json: JSON.parse(raw) as unknown,
        status: 200,
        completed: true,
        aborted: false,
      });
      expect(log[0]?.headers['x-custom']).toBe('yes');
      expect(log[0]?.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
      await sim.clearLog();
      expect(await sim.log()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

describe('control plane', () => {
  it('GET/PATCH config merges, null resets, bad patches are 400', async () => {
    const sim = await hub.spawn({ models: ['a'] });
    try {
      const patched = (await (await fetch(`${sim.url}/_sim/config`, { method: 'PATCH', body: '{"latencyMs":5,"apiKey":"k"}' })).json()) as Record<string, unknown>;
      expect(patched).toMatchObject({ models: ['a'], latencyMs: 5, apiKey: 'k', maxModelLen: 4096 });
      const reset = (await (await fetch(`${sim.url}/_sim/config`, { method: 'PATCH', body: '{"latencyMs":null,"apiKey":null}' })).json()) as Record<string, unknown>;
      expect([reset.latencyMs, 'apiKey' in reset]).toEqual([0, false]);
      expect(await (await fetch(`${sim.url}/_sim/config`)).json()).toEqual(reset);
      for (const body of ['{"latncyMs":1}', '{"latencyMs":"1"}', '{"models":[]}', '{"status":42}', 'nope']) {
        expect((await fetch(`${sim.url}/_sim/config`, { method: 'PATCH', body })).status).toBe(400);
      }
    } finally {
      await sim.close();
    }
  });

  it('spawns instances on their own ports with their own config, lists and closes them', async () => {
    const a = await spawnSim(hub.url, { models: ['alpha'] });
    const b = await spawnSim(hub.url, { models: ['beta'] });
    expect(a.url).not.toBe(b.url);
    const models = async (url: string): Promise<string[]> =>
      ((await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect([await models(a.url), await models(b.url)]).toEqual([['alpha'], ['beta']]);
    const listed = (await (await fetch(`${hub.url}/_sim/instances`)).json()) as { id: string }[];
    expect(listed.map((i) => i.id)).toEqual(expect.arrayContaining([a.id, b.id, hub.instance.id]));
    await a.close();
    await b.close();
    expect(await probe(Number(new URL(a.url).port))).toBe('ECONNREFUSED');
    expect((await fetch(`${hub.url}/_sim/instances/${a.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${hub.url}/_sim/instances/${hub.instance.id}`, { method: 'DELETE' })).status).toBe(400);
  });

  it('an instance can be closed through its own port', async () => {
    const sim = await spawnSim(hub.url);
    const res = await fetch(`${sim.url}/_sim/instances/${sim.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await probe(Number(new URL(sim.url).port))).toBe('ECONNREFUSED');
  });

  it('refuse closes the listener (replying first); the hub route re-opens the same port', async () => {
    const sim = await spawnSim(hub.url);
    const port = Number(new URL(sim.url).port);
    try {
      expect((await chatAt(sim.url)).status).toBe(200); // leaves a keep-alive connection in the pool
      const refused = await fetch(`${sim.url}/_sim/config`, { method: 'PATCH', body: '{"refuse":true}' });
      expect(((await refused.json()) as { refuse: boolean }).refuse).toBe(true);
      expect(await probe(port)).toBe('ECONNREFUSED');
      await expect(chatAt(sim.url)).rejects.toThrow();
      expect((await sim.log()).length).toBe(1); // the log stays reachable through the hub
      await sim.configure({ refuse: false });
      expect(await probe(port)).toBe('connected');
      expect((await chatAt(sim.url)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('waitForLog polls until the condition holds', async () => {
    const sim = await spawnSim(hub.url, { latencyMs: 50 });
    try {
      const pending = chatAt(sim.url);
      const log = await sim.waitForLog((entries) => entries[0]?.completed === true);
      expect(log[0]?.status).toBe(200);
      await pending;
    } finally {
      await sim.close();
    }
  });
});
