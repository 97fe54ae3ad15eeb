// LiteLLM scripts' view of /spend/logs: its query parameters (user_id, summarize with FastAPI booleans), its
// per-day summaries, and its row fields (`model`, `call_type` names).
import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment, unique } from '../helpers/gateway';
import { newKey, settledRows, type SpendRow } from '../helpers/keys';

type Row = SpendRow & { model: string };
interface Day {
  startTime: string;
  spend: number;
  users: Record<string, number>;
  models: Record<string, number>;
  [apiKey: string]: unknown;
}

const today = (): string => new Date().toISOString().slice(0, 10);
const embed = (key: string, model: string) => call('/v1/embeddings', { method: 'POST', key, json: { model, input: 'one two' } });

describe('/spend/logs with LiteLLM parameters', () => {
  it('filters by user_id, shows LiteLLM call types and the deployment model, summarizes per day by default', async () => {
    const { group, id } = await simDeployment({ info: { input_cost_per_token: 0.01 } });
    const user = unique('user');
    const a = await newKey({ user_id: user });
    const b = await newKey({ user_id: user });
    const other = await newKey({ user_id: unique('other') });
    for (const k of [a, a, b, other]) expect((await embed(k.key, group)).status).toBe(200);
    const chat = await call('/v1/chat/completions', { method: 'POST', key: a.key, json: { model: group, max_tokens: 2, messages: [{ role: 'user', content: 'x' }] } });
    const text = await call('/v1/completions', { method: 'POST', key: a.key, json: { model: group, max_tokens: 2, prompt: 'x' } });
    await Promise.all([chat.text(), text.text()]);
    await settledRows(a.token, 4);
    await settledRows(b.token, 1);
    await settledRows(other.token, 1);

    const byUser = await callJson<Row[]>(`/spend/logs?user_id=${user}`);
    expect(byUser.status).toBe(200);
    expect(byUser.body).toHaveLength(5);
    expect(new Set(byUser.body.map((r) => r.api_key))).toEqual(new Set([a.token, b.token]));
    const callTypes = byUser.body.map((r) => r.call_type).sort();
    expect(callTypes).toEqual(['acompletion', 'aembedding', 'aembedding', 'aembedding', 'atext_completion']);
    for (const r of byUser.body) expect(r).toMatchObject({ model: 'hosted_vllm/sim-model', model_id: id, model_group: group });

    // With both dates, summarize defaults to true: one entry per day, LiteLLM's shape.
    const day = today();
    const summary = await callJson<Day[]>(`/spend/logs?user_id=${user}&start_date=${day}&end_date=${day}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toHaveLength(1);
    const [entry] = summary.body;
    const total = byUser.body.reduce((s, r) => s + r.spend, 0);
    expect(entry!.startTime).toBe(day);
    expect(entry!.spend).toBeCloseTo(total, 9);
    expect(entry!.users).toEqual({ [user]: entry!.spend });
    expect(entry!.models).toEqual({ [group]: entry!.spend });
    expect(entry![a.token]).toBeCloseTo(total - 0.02, 9);
    expect(entry![b.token]).toBe(0.02);
    expect(entry![other.token]).toBeUndefined();

    // FastAPI booleans: any of these means the rows, not the summary.
    for (const no of ['false', 'False', '0', 'no']) {
      const rows = await callJson<Row[]>(`/spend/logs?api_key=${b.key}&start_date=${day}&end_date=${day}&summarize=${no}`);
      expect(rows.body.map((r) => r.api_key)).toEqual([b.token]);
    }
    const yes = await callJson<Day[]>(`/spend/logs?api_key=${b.token}&start_date=${day}&end_date=${day}&summarize=True`);
    expect(yes.body).toEqual([{ startTime: day, spend: 0.02, users: { [user]: 0.02 }, models: { [group]: 0.02 }, [b.token]: 0.02 }]);
    // A range without spend summarizes to nothing.
    expect((await callJson(`/spend/logs?api_key=${b.token}&start_date=2001-01-01&end_date=2001-01-02`)).body).toEqual([]);
  });

  it('a key reading its own logs may summarize them and filter by user_id; bad values are a 400 naming the parameter', async () => {
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.5 } });
    const user = unique('self');
    const k = await newKey({ user_id: user });
    await embed(k.key, group);
    await settledRows(k.token, 1);
    const day = today();
    const own = await callJson<Day[]>(`/spend/logs?start_date=${day}&end_date=${day}`, { key: k.key });
    expect(own.body).toEqual([{ startTime: day, spend: 1, users: { [user]: 1 }, models: { [group]: 1 }, [k.token]: 1 }]);
    expect((await callJson<Row[]>(`/spend/logs?user_id=${user}`, { key: k.key })).body).toHaveLength(1);
    expect((await callJson<Row[]>('/spend/logs?user_id=someone-else', { key: k.key })).body).toEqual([]);

    const bad = await callJson(`/spend/logs?summarize=maybe`);
    expect(bad.status).toBe(400);
    expect(expectEnvelope(bad.body).param).toBe('summarize');
    const times = await callJson(`/spend/logs?start_date=${new Date(Date.now() - 60_000).toISOString()}&end_date=${day}`);
    expect(times.status).toBe(400);
    expect(expectEnvelope(times.body)).toMatchObject({ param: 'start_date' });
    expect(expectEnvelope(times.body).message).toMatch(/YYYY-MM-DD.*summarize=false/);
    // Times are fine for rows.
    expect((await callJson(`/spend/logs?api_key=${k.token}&start_date=${new Date(Date.now() - 600_000).toISOString()}&end_date=${new Date(Date.now() + 60_000).toISOString()}&summarize=false`)).body).toHaveLength(1);
  });

  it('ignores query parameters it does not know, as LiteLLM (FastAPI) does', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    await embed(k.key, group);
    await settledRows(k.token, 1);
    const res = await callJson<Row[]>(`/spend/logs?api_key=${k.token}&team_id=t&page=2&colour=red`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
  });

  it("a deleted deployment's rows keep their model_id; model is empty once the deployment is gone", async () => {
    const { group, id } = await simDeployment();
    const k = await newKey();
    await embed(k.key, group);
    await settledRows(k.token, 1);
    expect((await call('/model/delete', { method: 'POST', json: { id } })).status).toBe(200);
    const [row] = (await callJson<Row[]>(`/spend/logs?api_key=${k.token}`)).body;
    expect(row).toMatchObject({ model_id: id, model: '', call_type: 'aembedding' });
  });
});
