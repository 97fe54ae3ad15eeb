import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, readSse, simDeployment } from '../helpers/gateway';
import { keySpend, nanos, newKey, settledRows } from '../helpers/keys';

const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };
/** The simulator echoes "a b c": 3 prompt tokens, 3 completion tokens → $0.009. */
const body = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 3,
  messages: [{ role: 'user', content: 'a b c' }],
  ...extra,
});
/** What admission reserves for that request: prompt ≤ 5 chars + 16 + 8 template tokens, completion ≤ 3. */
const RESERVATION = (5 + 16 + 8) * 0.001 + 3 * 0.002;

describe('budgets', () => {
  it('200 concurrent requests then sequential ones: spend ends within one reservation of max_budget, and the ledger equals the sum of x-litellm-response-cost', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 20 }, info: PRICE });
    const maxBudget = 0.3;
    const k = await newKey({ max_budget: maxBudget });
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })),
    );
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(200);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused.slice(0, 3)) expect(expectEnvelope(await r.json()).type).toBe('budget_exceeded');

    // In-flight reservations refuse part of the burst early; once they settle, the rest of the budget is usable.
    const costs = ok.map((r) => r.headers.get('x-litellm-response-cost')!);
    await settledRows(k.token, ok.length);
    for (;;) {
      const r = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
      if (r.status !== 200) {
        expect(r.status).toBe(429);
        expect(expectEnvelope(await r.json()).message).toMatch(/Budget has been exceeded/);
        break;
      }
      costs.push(r.headers.get('x-litellm-response-cost')!);
      await settledRows(k.token, costs.length);
    }
    expect(new Set(costs)).toEqual(new Set(['0.009']));
    const rows = await settledRows(k.token, costs.length);
    const headerSum = costs.reduce((sum, c) => sum + nanos(c), 0);
    const ledger = await keySpend(k.key);
    expect(nanos(ledger)).toBe(headerSum);
    expect(rows).toHaveLength(costs.length);
    expect(rows.every((r) => r.status === 'success')).toBe(true);
    expect(ledger).toBeGreaterThanOrEqual(maxBudget);
    expect(ledger).toBeLessThanOrEqual(maxBudget + RESERVATION);
  });

  it('budget_duration resets the spend', async () => {
    const { group } = await simDeployment({ info: PRICE });
    const k = await newKey({ max_budget: 0.01, budget_duration: '2s' });
    expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(200);
    await settledRows(k.token, 1);
    expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(200);
    await settledRows(k.token, 2);
    const refused = await callJson('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    expect(refused.status).toBe(429);
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(200);
    await settledRows(k.token, 3);
    expect(await keySpend(k.key)).toBeCloseTo(0.009, 9);
  });
});

describe('costs and headers', () => {
  it('prices JSON responses, reports key spend before the request, and books every request', async () => {
    const { group, id } = await simDeployment({ params: PRICE });
    const k = await newKey();
    const first = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    expect(first.headers.get('x-litellm-response-cost')).toBe('0.009');
    expect(first.headers.get('x-litellm-key-spend')).toBe('0');
    expect(first.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await settledRows(k.token, 1);
    const second = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    expect(second.headers.get('x-litellm-key-spend')).toBe('0.009');
    const [row] = await settledRows(k.token, 2);
    expect(row).toMatchObject({
      request_id: second.headers.get('x-litellm-call-id'),
      api_key: k.token,
      call_type: 'acompletion',
      model_group: group,
      model_id: id,
      prompt_tokens: 3,
      completion_tokens: 3,
      total_tokens: 6,
      spend: 0.009,
      status: 'success',
      usage_estimated: false,
    });
  });

  it('a stream is charged the same as its JSON twin, and a cut stream is still booked as an estimate', async () => {
    const { group } = await simDeployment({ info: PRICE });
    const k = await newKey();
    await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) });
    const stream = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group, { stream: true }) });
    const events = await readSse(stream);
    expect(events.join('')).not.toContain('"usage"');
    const rows = await settledRows(k.token, 2);
    expect(rows[0]!.spend).toBe(rows[1]!.spend);
    expect(rows[0]!.total_tokens).toBe(rows[1]!.total_tokens);

    const cut = await simDeployment({ sim: { cutAfterChunks: 3 }, info: PRICE });
    const c = await newKey();
    await readSse(await call('/v1/chat/completions', { method: 'POST', key: c.key, json: body(cut.group, { stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'a b c d e f g h' }] }) }));
    const [row] = await settledRows(c.token, 1);
    expect(row).toMatchObject({ status: 'failure', usage_estimated: true });
    expect(row!.completion_tokens).toBeGreaterThan(0);
    expect(row!.spend).toBeGreaterThan(0);
  });

  it('a client that leaves mid-stream is still booked', async () => {
    const { group } = await simDeployment({ sim: { chunkDelayMs: 40 }, info: PRICE });
    const k = await newKey();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      key: k.key,
      json: body(group, { stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'w '.repeat(100) }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const [row] = await settledRows(k.token, 1);
    expect(row!.usage_estimated).toBe(true);
  });

  it('failed upstream calls are logged at zero cost and free their reservation', async () => {
    const { group } = await simDeployment({ sim: { status: 400 }, info: PRICE });
    const k = await newKey({ max_parallel_requests: 1 });
    for (let i = 0; i < 3; i++) expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: body(group) })).status).toBe(400);
    const rows = await settledRows(k.token, 3);
    expect(rows.every((r) => r.status === 'failure' && r.spend === 0)).toBe(true);
  });

  it('a prompt nested 10,000 arrays deep is estimated for admission, not a 500', async () => {
    const { group } = await simDeployment({ info: PRICE });
    const k = await newKey({ max_budget: 1 });
    // The client's JSON, as sent: parsing it is fine, walking it recursively overflowed the stack.
    const deep = '['.repeat(10_000) + '"a b c"' + ']'.repeat(10_000);
    const text = `{"model":"${group}","max_tokens":3,"messages":[{"role":"user","content":${deep}}]}`;
    const res = await call('/v1/chat/completions', { method: 'POST', key: k.key, body: text, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBeLessThan(500);
    await res.text();
    // Booked like any call: the estimate held, and the reservation was released.
    const rows = await settledRows(k.token, 1);
    expect(rows).toHaveLength(1);
  });
});
