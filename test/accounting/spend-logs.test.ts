import { describe, expect, it } from 'vitest';
import { call, callJson, simDeployment } from '../helpers/gateway';
import { newKey, settledRows, type SpendRow } from '../helpers/keys';

describe('/spend/logs', () => {
  it('filters by api_key (key or hash), request_id and dates; a key reads only its own rows', async () => {
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.01 } });
    const a = await newKey();
    const b = await newKey();
    const ids: string[] = [];
    for (const k of [a, a, b]) {
      const r = await call('/v1/embeddings', { method: 'POST', key: k.key, json: { model: group, input: 'one two' } });
      ids.push(r.headers.get('x-litellm-call-id')!);
    }
    await settledRows(a.token, 2);
    await settledRows(b.token, 1);

    const byKey = await callJson<SpendRow[]>(`/spend/logs?api_key=${a.key}`);
    expect(byKey.body.map((r) => r.request_id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(byKey.body.every((r) => r.api_key === a.token && r.call_type === 'aembedding' && r.spend === 0.02)).toBe(true);
    expect(JSON.stringify(byKey.body)).not.toContain(a.key);

    const one = await callJson<SpendRow[]>(`/spend/logs?request_id=${ids[2]}`);
    expect(one.body).toHaveLength(1);
    expect(one.body[0]!.api_key).toBe(b.token);

    const today = new Date().toISOString().slice(0, 10);
    // Both dates without summarize=false: LiteLLM's per-day summary (see spend-logs-litellm.test.ts).
    expect((await callJson<SpendRow[]>(`/spend/logs?api_key=${a.token}&start_date=${today}&end_date=${today}&summarize=false`)).body).toHaveLength(2);
    expect((await callJson<SpendRow[]>(`/spend/logs?api_key=${a.token}&start_date=2001-01-01&end_date=2001-01-02&summarize=false`)).body).toHaveLength(0);

    const own = await callJson<SpendRow[]>('/spend/logs', { key: b.key });
    expect(own.body.map((r) => r.request_id)).toEqual([ids[2]]);
    expect((await callJson(`/spend/logs?api_key=${a.token}`, { key: b.key })).status).toBe(403);
    expect((await callJson('/spend/logs?start_date=yesterday')).status).toBe(400);
  });

  it('key spend appears in /key/info', async () => {
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.5 } });
    const k = await newKey();
    await call('/v1/embeddings', { method: 'POST', key: k.key, json: { model: group, input: 'x y z' } });
    await settledRows(k.token, 1);
    const info = await callJson<{ info: { spend: number } }>('/key/info', { key: k.key });
    expect(info.body.info.spend).toBe(1.5);
  });

  it('master-key traffic is booked too', async () => {
    const { group } = await simDeployment();
    const r = await call('/v1/embeddings', { method: 'POST', json: { model: group, input: 'x' } });
    const id = r.headers.get('x-litellm-call-id')!;
    for (let i = 0; i < 100; i++) {
      const { body } = await callJson<SpendRow[]>(`/spend/logs?api_key=master&request_id=${id}`);
      if (body.length) {
        expect(body[0]!.api_key).toBe('master');
        return;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error('master-key call was never booked');
  });

  it('a burst of master-key calls (settled in shared, windowed ledger calls) is booked in full, each with its cost', async () => {
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } });
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const stream = i % 2 === 1;
        const r = await call('/v1/chat/completions', {
          method: 'POST',
          json: { model: group, max_tokens: 3, stream, messages: [{ role: 'user', content: `burst ${i}` }] },
        });
        await r.text();
        return { id: r.headers.get('x-litellm-call-id')!, status: r.status };
      }),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const wanted = new Set(answers.map((a) => a.id));
    let rows: SpendRow[] = [];
    for (let i = 0; i < 100 && rows.length < wanted.size; i++) {
      const { body } = await callJson<SpendRow[]>(`/spend/logs?api_key=master&limit=1000&start_date=${new Date(Date.now() - 60_000).toISOString()}`);
      rows = body.filter((r) => wanted.has(r.request_id));
      if (rows.length < wanted.size) await new Promise((res) => setTimeout(res, 50));
    }
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.model_group === group && r.status === 'success' && r.spend > 0)).toBe(true);
  });
});

describe('call ids', () => {
  it('a client cannot choose the call id: replaying one never skips a charge', async () => {
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.01 } });
    const k = await newKey();
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await call('/v1/embeddings', {
        method: 'POST',
        key: k.key,
        json: { model: group, input: 'one two' },
        headers: { 'x-litellm-call-id': 'chosen-by-client' },
      });
      ids.add(r.headers.get('x-litellm-call-id')!);
    }
    expect(ids.size).toBe(3);
    expect(ids.has('chosen-by-client')).toBe(false);
    const rows = await settledRows(k.token, 3);
    expect(rows.reduce((sum, r) => sum + r.spend, 0)).toBeCloseTo(0.06, 9);
  });
});
