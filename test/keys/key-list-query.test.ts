// LiteLLM scripts' /key/list query parameters: all accepted, booleans read the FastAPI way, sorting by LiteLLM's
// columns, unknown parameters ignored (FastAPI), bad values a 400 naming the parameter.
import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment, unique } from '../helpers/gateway';
import { newKey, settledRows } from '../helpers/keys';

interface Page<T> {
  keys: T[];
  total_count: number;
  current_page: number;
  total_pages: number;
}
interface FullKey {
  token: string;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
}

describe('/key/list with LiteLLM parameters', () => {
  it('accepts every LiteLLM parameter; return_full_object takes FastAPI booleans; org/team-key widening is ignored', async () => {
    const team = unique('team');
    const user = unique('user');
    const alias = unique('alias');
    const k = await newKey({ team_id: team, user_id: user, key_alias: alias });
    const all =
      `page=1&size=10&user_id=${user}&team_id=${team}&organization_id=org-1&key_hash=${k.token}` +
      `&key_alias=${alias}&include_team_keys=true&sort_by=created_at&sort_order=desc`;
    for (const yes of ['true', 'True', '1', 'yes']) {
      const res = await callJson<Page<FullKey>>(`/key/list?${all}&return_full_object=${yes}`);
      expect(res.status, yes).toBe(200);
      expect(res.body).toMatchObject({ total_count: 1, current_page: 1, total_pages: 1 });
      expect(res.body.keys[0]).toMatchObject({ token: k.token, key_alias: alias });
    }
    for (const no of ['false', 'False', '0', 'no']) {
      const res = await callJson<Page<string>>(`/key/list?${all}&return_full_object=${no}`);
      expect(res.body.keys, no).toEqual([k.token]);
    }
    // key_hash alone finds the key.
    expect((await callJson<Page<string>>(`/key/list?key_hash=${k.token}`)).body.keys).toEqual([k.token]);
    // Unknown parameters are ignored, as FastAPI does.
    expect((await callJson<Page<string>>(`/key/list?key_hash=${k.token}&colour=red`)).body.keys).toEqual([k.token]);
  });

  it('sorts by key_alias, spend and max_budget in either order (keys without the value last)', async () => {
    const team = unique('sort');
    const { group } = await simDeployment({ info: { input_cost_per_token: 0.01 } });
    const b = await newKey({ team_id: team, key_alias: `${team}-b`, max_budget: 5 });
    const a = await newKey({ team_id: team, key_alias: `${team}-a`, max_budget: 50 });
    const none = await newKey({ team_id: team });
    // Spend: b 0.02, a 0.04, none 0.
    for (const key of [b, a, a]) await call('/v1/embeddings', { method: 'POST', key: key.key, json: { model: group, input: 'one two' } });
    await settledRows(b.token, 1);
    await settledRows(a.token, 2);
    const list = async (q: string) => (await callJson<Page<string>>(`/key/list?team_id=${team}&${q}`)).body.keys;
    expect(await list('sort_by=key_alias&sort_order=asc')).toEqual([a.token, b.token, none.token]);
    expect(await list('sort_by=key_alias&sort_order=DESC')).toEqual([b.token, a.token, none.token]);
    expect(await list('sort_by=spend&sort_order=desc')).toEqual([a.token, b.token, none.token]);
    expect(await list('sort_by=spend&sort_order=asc')).toEqual([none.token, b.token, a.token]);
    expect(await list('sort_by=max_budget&sort_order=asc')).toEqual([b.token, a.token, none.token]);
    expect(await list('sort_by=max_budget&sort_order=asc&size=1&page=2')).toEqual([a.token]);
    const full = await callJson<Page<FullKey>>(`/key/list?team_id=${team}&sort_by=spend&return_full_object=1`);
    expect(full.body.keys.map((x) => [x.token, x.spend])).toEqual([[a.token, 0.04], [b.token, 0.02], [none.token, 0]]);
    // Default: newest first.
    expect(await list('')).toEqual([none.token, a.token, b.token]);
  });

  it('bad values are a 400 naming the parameter', async () => {
    for (const [q, param] of [
      ['sort_by=colour', 'sort_by'],
      ['sort_order=sideways', 'sort_order'],
      ['return_full_object=maybe', 'return_full_object'],
      ['include_team_keys=2', 'include_team_keys'],
      ['size=500', 'size'],
      ['page=0', 'page'],
    ] as const) {
      const { status, body } = await callJson(`/key/list?${q}`);
      expect(status, q).toBe(400);
      expect(expectEnvelope(body).param, q).toBe(param);
    }
  });
});
