import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KeyLedger } from '../../src/keys/key-ledger';
import { call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';
import { newKey, settledRows } from '../helpers/keys';

const body = (model: string) => ({ model, max_tokens: 3, messages: [{ role: 'user', content: 'a b c' }] });

describe('rate limits', () => {
  it('settlement is idempotent by request id: a repeated settlement books nothing twice', async () => {
    const k = await newKey();
    const stub = env.KEYS.get(env.KEYS.idFromName(k.token));
    const settlement = {
      requestId: 'settle-twice', group: 'g', deploymentId: 'd', callType: 'chat', promptTokens: 3, completionTokens: 4,
      totalTokens: 7, nanos: 1_500_000, status: 'success' as const, estimated: false, startedAt: Date.now(), endedAt: Date.now(),
    };
    const [first, second] = await runInDurableObject(stub, (ledger: KeyLedger) => {
      const spent = (): number => {
        void ledger.settleMany({ apiKey: k.token, items: [settlement] });
        return ledger.view()!.spend;
      };
      return [spent(), spent()];
    });
    expect(first).toBe(0.0015);
    expect(second).toBe(0.0015);
    expect(await settledRows(k.token, 1)).toHaveLength(1);
  });

  it('a batch of settlements books every request id once (repeats inside the batch and of earlier ones are skipped), and only rows that were written', async () => {
    const k = await newKey();
    const stub = env.KEYS.get(env.KEYS.idFromName(k.token));
    const now = Date.now();
    const one = (i: number) => ({
      requestId: `batch-${i}`, group: 'g', deploymentId: i % 2 ? null : 'd', callType: 'chat', promptTokens: i, completionTokens: 1,
      totalTokens: i + 1, nanos: 1_000 + i, status: 'success' as const, estimated: i % 3 === 0, startedAt: now + i, endedAt: now + i,
    });
    // 150 rows: more than one statement could bind value by value (Durable Object SQL binds at most 100).
    const first = Array.from({ length: 150 }, (_, i) => one(i));
    // A settlement the table refuses (no model group) is neither logged nor charged.
    const refused = { ...one(152), group: null as unknown as string };
    const second = [one(7), one(150), refused, one(150), one(151)];
    const spend = await runInDurableObject(stub, (ledger: KeyLedger) => {
      void ledger.settleMany({ apiKey: k.token, items: first });
      void ledger.settleMany({ apiKey: k.token, items: [one(0)] });
      void ledger.settleMany({ apiKey: k.token, items: second });
      return ledger.view()!.spend;
    });
    const distinct = Array.from({ length: 152 }, (_, i) => 1_000 + i).reduce((a, b) => a + b, 0);
    expect(Math.round(spend * 1e9)).toBe(distinct);
    const rows = await settledRows(k.token, 152);
    expect(rows).toHaveLength(152);
    const row = rows.find((r) => r.request_id === 'batch-3')!;
    expect(row).toMatchObject({ model_id: null, prompt_tokens: 3, total_tokens: 4, usage_estimated: true, spend: 1.003e-6 });
    expect(rows.find((r) => r.request_id === 'batch-4')).toMatchObject({ model_id: 'd', usage_estimated: false });
  });

  it('a ledger that restarts (evicted, redeployed) still counts the last minute from its spend log', async () => {
    const { group } = await simDeployment();
    const k = await newKey({ rpm_limit: 3, tpm_limit: 1_000_000 });
    for (let i = 0; i < 3; i++) expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(200);
    const rows = await settledRows(k.token, 3);
    const tokens = rows.reduce((n, r) => n + r.total_tokens, 0);
    const stub = env.KEYS.get(env.KEYS.idFromName(k.token));
    // A fresh instance over the same storage is what the runtime builds after an eviction or a restart.
    const fresh = await runInDurableObject(stub, (_old: KeyLedger, state) => {
      const ledger = new KeyLedger(state, env);
      return ledger.admit({ requestId: 'after-restart', group, estimate: { tokens: 1, nanos: 0 } });
    });
    expect(fresh.ok).toBe(false);
    if (fresh.ok) return;
    expect(fresh.refusal).toMatchObject({ kind: 'rate_limited', limitType: 'requests' });
    expect(fresh.refusal.rate?.tokens?.remaining).toBe(1_000_000 - tokens);
  });

  it('rpm_limit 10: exactly 10 of 30 rapid requests pass, the rest get 429 naming the limit', async () => {
    const { group } = await simDeployment();
    const k = await newKey({ rpm_limit: 10 });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })),
    );
    const passed = results.filter((r) => r.status === 200);
    expect(passed).toHaveLength(10);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(20);
    const error = expectEnvelope(refused[0]!.body);
    expect(error.type).toBe('rpm_limit_exceeded');
    expect(error.message).toMatch(/rpm_limit 10/);
    const headers = refused[0]!.res.headers;
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // Successful responses carry the window too, counting down.
    const remaining = passed.map((r) => Number(r.res.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('tpm_limit: requests pass while the minute has tokens left, then 429 tpm_limit_exceeded', async () => {
    const { group } = await simDeployment();
    // Each request uses 6 tokens (3 prompt + 3 completion); 60 tokens per minute allow exactly 10 settled requests.
    const k = await newKey({ tpm_limit: 60 });
    let passed = 0;
    for (let i = 0; i < 15; i++) {
      const r = await callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
      if (r.status !== 200) {
        expect(r.status).toBe(429);
        expect(expectEnvelope(r.body).type).toBe('tpm_limit_exceeded');
        expect(r.res.headers.get('x-ratelimit-limit-tokens')).toBe('60');
        break;
      }
      passed++;
      await settledRows(k.token, passed);
    }
    expect(passed).toBe(10);
  });

  it('tpm_limit held by a request in flight: the 429 asks for a retry after at least a second, not 0', async () => {
    const { group, sim } = await simDeployment({ sim: { latencyMs: 1000 } });
    const k = await newKey({ tpm_limit: 100 });
    // Its worst case (90 completion tokens plus the prompt bound) alone reaches the limit.
    const first = callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: { ...body(group), max_tokens: 90 } });
    // The first call is admitted and upstream (its worst case reserved, nothing settled in the window yet).
    while ((await sim.log()).length === 0) await new Promise((r) => setTimeout(r, 20));
    const second = await callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    expect(second.status).toBe(429);
    expect(expectEnvelope(second.body).type).toBe('tpm_limit_exceeded');
    expect(Number(second.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(200);
  });

  it('max_parallel_requests: only that many run at once, and finished requests free their slot', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 300 } });
    const k = await newKey({ max_parallel_requests: 3 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    expect(expectEnvelope(refused[0]!.body).type).toBe('max_parallel_requests_exceeded');
    await settledRows(k.token, 3);
    expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(200);
  });

  it('max_parallel_requests: 1 lets back-to-back requests through: a finished request frees its slot for the next one', async () => {
    const { group } = await simDeployment();
    const k = await newKey({ max_parallel_requests: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: { ...body(group), stream: i % 2 === 1 } });
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(12).fill(200));
    expect(await settledRows(k.token, 12)).toHaveLength(12);
  });

  it('a client that leaves while its JSON answer is pending frees its parallel slot and is booked as a failure', async () => {
    const { group, sim } = await simDeployment({ sim: { latencyMs: 1500 } });
    const k = await newKey({ max_parallel_requests: 1 });
    const client = new AbortController();
    const pending = call('/v1/chat/completions', { method: 'POST', key: k.key, signal: client.signal, json: body(group) });
    await sim.waitForLog((l) => l.length === 1, 2000);
    client.abort();
    await pending.catch(() => undefined);
    // vLLM stops generating for nobody, although the call stays alive to be booked.
    const log = await sim.waitForLog((l) => l[0]?.aborted === true, 1000);
    expect(log[0]!.completed).toBe(false);
    const [row] = await settledRows(k.token, 1);
    expect(row!.status).toBe('failure');
    const next = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    expect(next.status).toBe(200);
  });
});
