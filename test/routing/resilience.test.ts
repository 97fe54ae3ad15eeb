import { afterEach, describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, readSse, simDeployment, unique } from '../helpers/gateway';
import { chat, pair, routerSettings } from '../helpers/routing';
import { newKey } from '../helpers/keys';

afterEach(async () => {
  await routerSettings({});
});

describe('retries on another deployment', () => {
  const failures: [string, Parameters<typeof simDeployment>[0]][] = [
    ['returns 500', { sim: { status: 500 } }],
    ['returns 429', { sim: { status: 429 } }],
    ['refuses connections', { sim: { refuse: true } }],
    ['times out', { sim: { latencyMs: 5000 }, params: { timeout: 0.2 } }],
  ];
  it.each(failures)('every request succeeds when the other deployment %s', async (_name, bad) => {
    const { group, good, broken } = await pair(bad);
    const results = await Promise.all(Array.from({ length: 12 }, () => call('/v1/chat/completions', { method: 'POST', json: chat(group) })));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(new Set(results.map((r) => r.headers.get('x-litellm-model-id')))).toEqual(new Set([good.id]));
    const retried = results.filter((r) => r.headers.get('x-litellm-attempted-retries') === '1');
    expect(retried.length).toBeGreaterThan(0);
    expect((await good.sim.log()).length).toBe(12);
    void broken;
  });

  it('does not retry client errors', async () => {
    const { group, good, broken } = await pair({ sim: { status: 400 } });
    for (let i = 0; i < 6; i++) await call('/v1/chat/completions', { method: 'POST', json: chat(group) });
    const total = (await good.sim.log()).length + (await broken.sim.log()).length;
    expect(total).toBe(6);
  });

  it('never retries a stream once bytes reached the client: the cut arrives as an error event', async () => {
    const { group, broken } = await pair({ sim: { cutAfterChunks: 2 } });
    let cut = 0;
    for (let i = 0; i < 8; i++) {
      const data = await readSse(await call('/v1/chat/completions', { method: 'POST', json: chat(group, { stream: true }) }));
      if (data.at(-1) === '[DONE]') continue;
      cut++;
      expectEnvelope(JSON.parse(data.at(-1)!));
    }
    expect(cut).toBe((await broken.sim.log()).length);
  });

  it('a stream whose first token misses stream_timeout is retried elsewhere: the client gets a clean 200 stream', async () => {
    const { group, good, broken } = await pair({ sim: { firstChunkDelayMs: 5000 }, params: { stream_timeout: 0.2 } });
    // The first deployment is drawn at random: send rounds of 8 until one drew the slow one (8 alone miss it 1 in 256).
    const responses: Response[] = [];
    for (let round = 0; round < 5 && (await broken.sim.log()).length === 0; round++) {
      responses.push(
        ...(await Promise.all(
          Array.from({ length: 8 }, () => call('/v1/chat/completions', { method: 'POST', json: chat(group, { stream: true }) })),
        )),
      );
    }
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-litellm-model-id')).toBe(good.id);
      expect((await readSse(res)).at(-1)).toBe('[DONE]');
    }
    expect(responses.some((r) => r.headers.get('x-litellm-attempted-retries') === '1')).toBe(true);
    expect((await broken.sim.log()).length).toBeGreaterThan(0);
  });

  it('with one deployment, a stream that sends no first token in time is a 504, not an error inside a 200', async () => {
    const d = await simDeployment({ sim: { firstChunkDelayMs: 5000 }, params: { stream_timeout: 0.2 } });
    const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(d.group, { stream: true }) });
    expect(status).toBe(504);
    expect(expectEnvelope(body).message).toMatch(/did not answer within/);
  });

  it('with every deployment down the client gets one clean error', async () => {
    const a = await simDeployment({ sim: { refuse: true } });
    await simDeployment({ group: a.group, sim: { status: 503 } });
    const { status, body, res } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(a.group) });
    expect([502, 503]).toContain(status);
    expectEnvelope(body);
    expect(res.headers.get('x-litellm-call-id')).toBeTruthy();
  });

  it('respects Retry-After from the only deployment before retrying it', async () => {
    const d = await simDeployment({ sim: { failNext: 1, failNextStatus: 429, retryAfterSeconds: 1 } });
    const started = Date.now();
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(d.group) });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
  });
});

describe('cooldown', () => {
  it('a deployment failing allowed_fails times stops receiving traffic, then is tried again after cooldown_time', async () => {
    await routerSettings({ allowed_fails: 2, cooldown_time: 1, num_retries: 2 });
    const { group, broken } = await pair({ sim: { status: 500 } });
    for (let i = 0; i < 20; i++) await call('/v1/chat/completions', { method: 'POST', json: chat(group) });
    // Two failures put it in cooldown; afterwards all traffic goes to the good one.
    expect((await broken.sim.log()).length).toBe(2);
    await new Promise((r) => setTimeout(r, 1100));
    await broken.sim.configure({ status: null });
    for (let i = 0; i < 20; i++) await call('/v1/chat/completions', { method: 'POST', json: chat(group) });
    expect((await broken.sim.log()).length).toBeGreaterThan(2);
  });

  it('streams that time out before their first token count as failures for cooldown', async () => {
    await routerSettings({ allowed_fails: 2, cooldown_time: 30, num_retries: 2 });
    const { group, good, broken } = await pair({ sim: { firstChunkDelayMs: 5000 }, params: { stream_timeout: 0.2 } });
    for (let i = 0; i < 12; i++) {
      const res = await call('/v1/chat/completions', { method: 'POST', json: chat(group, { stream: true }) });
      expect(res.status).toBe(200);
      await readSse(res);
    }
    // Cooled down after allowed_fails (2) timeouts; at most that many, since the routing table's settings are shared
    // with other test files that may change allowed_fails meanwhile. Not counted as failures, it would get ~6 of 12.
    const hits = (await broken.sim.log()).length;
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(hits).toBeLessThanOrEqual(2);
    expect((await good.sim.log()).length).toBe(12);
  });
});

describe('fallbacks', () => {
  it('falls back to another group, only if the key may use it', async () => {
    const primary = await simDeployment({ sim: { status: 500 } });
    const backup = await simDeployment();
    await routerSettings({ fallbacks: [{ [primary.group]: [backup.group] }], num_retries: 0 });
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(primary.group) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(res.headers.get('x-litellm-model-group')).toBe(backup.group);

    const narrow = await newKey({ models: [primary.group] });
    const denied = await call('/v1/chat/completions', { method: 'POST', key: narrow.key, json: chat(primary.group) });
    expect(denied.status).toBe(500);
    const wide = await newKey({ models: [primary.group, backup.group] });
    expect((await call('/v1/chat/completions', { method: 'POST', key: wide.key, json: chat(primary.group) })).status).toBe(200);
  });

  it("context_window_fallbacks: vLLM's context-length 400 moves to the long-context group", async () => {
    const short = await simDeployment({ sim: { maxModelLen: 8 } });
    const long = await simDeployment({ sim: { maxModelLen: 100000 } });
    await routerSettings({ context_window_fallbacks: [{ [short.group]: [long.group] }] });
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(short.group, { max_tokens: 50 }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe(long.group);
    // Without a fallback configured, the client sees vLLM's 400.
    await routerSettings({});
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(short.group, { max_tokens: 50 }) })).status).toBe(400);
  });
});

describe('strategies', () => {
  it('simple-shuffle lands within ±5 % of the weights over 2,000 requests', async () => {
    const light = await simDeployment({ params: { weight: 1 } });
    const heavy = await simDeployment({ group: light.group, params: { weight: 3 } });
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 40; batch++) {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => call('/v1/embeddings', { method: 'POST', json: { model: light.group, input: 'x' } })),
      );
      for (const r of results) {
        const id = r.headers.get('x-litellm-model-id')!;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    const share = (counts.get(heavy.id) ?? 0) / 2000;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
  });

  it('least-busy sends new requests to the deployment with fewer in flight', async () => {
    await routerSettings({ routing_strategy: 'least-busy' });
    const slow = await simDeployment({ sim: { latencyMs: 400 } });
    const fast = await simDeployment({ group: slow.group });
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 30));
        return call('/v1/embeddings', { method: 'POST', json: { model: slow.group, input: 'x' } });
      }),
    );
    const toFast = results.filter((r) => r.headers.get('x-litellm-model-id') === fast.id).length;
    expect(toFast).toBeGreaterThanOrEqual(15);
  });

  it('a client may pin one deployment by its model_info.id', async () => {
    const a = await simDeployment();
    const b = await simDeployment({ group: a.group });
    for (let i = 0; i < 5; i++) {
      const res = await call('/v1/embeddings', { method: 'POST', json: { model: b.id, input: 'x' } });
      expect(res.headers.get('x-litellm-model-id')).toBe(b.id);
      expect(res.headers.get('x-litellm-model-group')).toBe(a.group);
    }
    void unique;
  });
});

describe('GET /health', () => {
  it('probes every deployment of a group and reports healthy and unhealthy ones without secrets', async () => {
    const good = await simDeployment({ sim: { apiKey: 'upstream-secret-value' }, params: { api_key: 'os.environ/SIM_UPSTREAM_KEY' } });
    const down = await simDeployment({ group: good.group, sim: { refuse: true } });
    const failing = await simDeployment({ group: good.group, sim: { status: 500 } });
    const { status, body } = await callJson<{
      healthy_endpoints: { model_id: string; api_base: string }[];
      unhealthy_endpoints: { model_id: string; error: string }[];
      healthy_count: number;
      unhealthy_count: number;
    }>(`/health?model=${good.group}`);
    expect(status).toBe(200);
    expect(body.healthy_endpoints.map((e) => e.model_id)).toEqual([good.id]);
    expect(body.unhealthy_endpoints.map((e) => e.model_id).sort()).toEqual([down.id, failing.id].sort());
    expect(body).toMatchObject({ healthy_count: 1, unhealthy_count: 2 });
    expect(JSON.stringify(body)).not.toContain('upstream-secret-value');
    const probes = await good.sim.log();
    expect(probes.map((p) => p.path)).toEqual(['/health', '/v1/chat/completions']);
    expect((await callJson('/health', { key: 'sk-not-the-master-key' })).status).toBe(401);
  });
});
