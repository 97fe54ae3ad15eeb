import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment, unique } from '../helpers/gateway';

interface Generated {
  key: string;
  key_name: string;
  token: string;
  token_id: string;
  expires: string | null;
  key_alias: string | null;
  models: string[];
  spend: number;
  max_budget: number | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  metadata: Record<string, unknown>;
  user_id: string | null;
  team_id: string | null;
  blocked: boolean;
}

async function generate(json: Record<string, unknown> = {}): Promise<Generated> {
  const { status, body } = await callJson<Generated>('/key/generate', { method: 'POST', json });
  if (status !== 200) throw new Error(`generate: ${status} ${JSON.stringify(body)}`);
  return body;
}

async function sha256(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('/key/generate', () => {
  it('returns the plaintext once with key_name, expires, the hash and every stored field', async () => {
    const before = Date.now();
    const k = await generate({
      key_alias: unique('alias'),
      duration: '30d',
      models: ['a', 'b'],
      max_budget: 12.5,
      budget_duration: '1mo',
      tpm_limit: 1000,
      rpm_limit: 10,
      max_parallel_requests: 2,
      metadata: { team: 'x', nested: { n: 1 } },
      user_id: 'u1',
      team_id: 't1',
    });
    const after = Date.now();
    expect(k.key).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
    expect(k.key_name).toBe(`sk-...${k.key.slice(-4)}`);
    expect(k.token).toBe(await sha256(k.key));
    expect(k.token_id).toBe(k.token);
    const expires = Date.parse(k.expires!);
    // Bounded by the clock around the call, not a fixed slack: the file's first call can take seconds on a busy CI.
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 86400_000 - 1000);
    expect(expires).toBeLessThanOrEqual(after + 30 * 86400_000 + 1000);
    expect(k).toMatchObject({ models: ['a', 'b'], max_budget: 12.5, tpm_limit: 1000, rpm_limit: 10, max_parallel_requests: 2 });
    expect(k).toMatchObject({ metadata: { team: 'x', nested: { n: 1 } }, user_id: 'u1', team_id: 't1', spend: 0, blocked: false });
  });

  it('accepts a custom sk- key, refuses reuse, and keys without duration never expire', async () => {
    const custom = `sk-custom-${crypto.randomUUID()}`;
    const k = await generate({ key: custom });
    expect(k.key).toBe(custom);
    expect(k.expires).toBeNull();
    expect((await callJson('/key/generate', { method: 'POST', json: { key: custom } })).status).toBe(400);
    expect((await call('/v1/models', { key: custom })).status).toBe(200);
  });

  it('refuses duplicate aliases', async () => {
    const alias = unique('dup');
    await generate({ key_alias: alias });
    const { status, body } = await callJson('/key/generate', { method: 'POST', json: { key_alias: alias } });
    expect(status).toBe(400);
    expect(expectEnvelope(body).message).toMatch(/already exists/);
  });
});

describe('malformed bodies to every /key route are 4xx envelopes', () => {
  const cases: [string, unknown][] = [
    ['/key/generate', { models: 'gpt' }],
    ['/key/generate', { max_budget: -1 }],
    ['/key/generate', { duration: '30 days' }],
    ['/key/generate', { duration: '0s' }],
    ['/key/generate', { budget_duration: 'monthly' }],
    ['/key/generate', { rpm_limit: 1.5 }],
    ['/key/generate', { tpm_limit: -3 }],
    ['/key/generate', { unknown_field: true }],
    ['/key/generate', { key: 'not-sk-prefixed' }],
    ['/key/generate', { metadata: 'x' }],
    ['/key/update', { rpm_limit: 3 }],
    ['/key/update', { key: 'sk-x', max_budget: 'lots' }],
    ['/key/update', { key: 'sk-x', bogus: 1 }],
    ['/key/delete', {}],
    ['/key/delete', { keys: 'sk-x' }],
    ['/key/delete', { keys: [], key_aliases: [] }],
    ['/key/regenerate', { key: 'sk-x', new_key: 'bad' }],
    ['/key/regenerate', { key: 'sk-x', duration: 'forever' }],
    ['/key/block', {}],
    ['/key/block', { key: 5 }],
    ['/key/unblock', { key: 'sk-x', extra: 1 }],
  ];
  it.each(cases)('%s %j', async (path, json) => {
    const { status, body } = await callJson(path, { method: 'POST', json });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expectEnvelope(body);
  });

  it('non-JSON bodies and bad list queries', async () => {
    expect((await callJson('/key/generate', { method: 'POST', body: 'nope', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await callJson('/key/generate', { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await callJson('/key/list?size=500')).status).toBe(400);
    expect((await callJson('/key/list?page=0')).status).toBe(400);
    // Unknown query parameters are ignored, as LiteLLM (FastAPI) does (test/keys/key-list-query.test.ts).
    expect((await callJson('/key/list?colour=red')).status).toBe(200);
  });
});

describe('/key/update, /key/info, /key/list', () => {
  it('updates fields, and info accepts the key or its hash', async () => {
    const k = await generate({ models: ['a'] });
    const up = await callJson<Generated>('/key/update', {
      method: 'POST',
      json: { key: k.key, models: ['a', 'b'], rpm_limit: 5, metadata: { x: 1 }, duration: '1h' },
    });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ key: k.key, models: ['a', 'b'], rpm_limit: 5, metadata: { x: 1 } });
    expect(Date.parse(up.body.expires!) - Date.now()).toBeGreaterThan(3500_000);
    for (const ref of [k.key, k.token]) {
      const info = await callJson<{ key: string; info: Generated }>(`/key/info?key=${ref}`);
      expect(info.body.key).toBe(k.token);
      expect(info.body.info).toMatchObject({ models: ['a', 'b'], rpm_limit: 5, key_name: k.key_name, spend: 0 });
      expect(JSON.stringify(info.body)).not.toContain(k.key);
    }
    const never = await callJson<Generated>('/key/update', { method: 'POST', json: { key: k.token, duration: '-1' } });
    expect(never.body.expires).toBeNull();
    expect((await callJson('/key/update', { method: 'POST', json: { key: 'sk-unknown-key-1234', rpm_limit: 1 } })).status).toBe(404);
  });

  it('lets a key describe itself (by hash), and only itself', async () => {
    const a = await generate();
    const b = await generate();
    const self = await callJson<{ key: string; info: Generated }>('/key/info', { key: a.key });
    expect(self.status).toBe(200);
    expect(self.body.key).toBe(a.token);
    expect(JSON.stringify(self.body)).not.toContain(a.key);
    expect((await callJson(`/key/info?key=${b.key}`, { key: a.key })).status).toBe(403);
    expect((await callJson('/key/list', { key: a.key })).status).toBe(401);
  });

  it('lists hashes (never plaintext), filters, paginates, and returns full objects on request', async () => {
    const team = unique('team');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await generate({ team_id: team, key_alias: unique(`l${i}`), user_id: i === 0 ? 'solo' : 'many' }));
    const page1 = await callJson<{ keys: string[]; total_count: number; total_pages: number; current_page: number }>(
      `/key/list?team_id=${team}&size=2`,
    );
    expect(page1.body).toMatchObject({ total_count: 3, total_pages: 2, current_page: 1 });
    expect(page1.body.keys).toHaveLength(2);
    const page2 = await callJson<{ keys: string[] }>(`/key/list?team_id=${team}&size=2&page=2`);
    const all = [...page1.body.keys, ...page2.body.keys];
    expect(new Set(all)).toEqual(new Set(made.map((k) => k.token)));
    // Newest first.
    expect(all[0]).toBe(made[2]!.token);
    const text = JSON.stringify(page1.body) + JSON.stringify(page2.body);
    for (const k of made) expect(text).not.toContain(k.key);
    const byAlias = await callJson<{ keys: string[] }>(`/key/list?key_alias=${made[1]!.key_alias}`);
    expect(byAlias.body.keys).toEqual([made[1]!.token]);
    const byUser = await callJson<{ keys: Generated[] }>(`/key/list?team_id=${team}&user_id=solo&return_full_object=true`);
    expect(byUser.body.keys).toHaveLength(1);
    expect(byUser.body.keys[0]).toMatchObject({ token: made[0]!.token, team_id: team, user_id: 'solo' });
    expect(JSON.stringify(byUser.body)).not.toContain(made[0]!.key);
  });
});

describe('revocation takes effect on the very next request', () => {
  it('delete by key, by hash and by alias → 401 at once', async () => {
    const { group } = await simDeployment();
    const a = await generate();
    const b = await generate();
    const c = await generate({ key_alias: unique('del') });
    for (const k of [a, b, c]) expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key })).status).toBe(200);
    const del = await callJson<{ deleted_keys: string[] }>('/key/delete', {
      method: 'POST',
      json: { keys: [a.key, b.token], key_aliases: [c.key_alias] },
    });
    expect(del.body.deleted_keys).toEqual([a.key, b.token, c.key_alias]);
    for (const k of [a, b, c]) {
      const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key });
      expect(status).toBe(401);
      const text = JSON.stringify(body);
      expect(text).not.toContain(k.key);
      expect(text).not.toContain(k.token);
    }
    expect((await callJson('/key/delete', { method: 'POST', json: { keys: [a.key] } })).status).toBe(404);
    expect((await callJson(`/key/info?key=${a.key}`)).status).toBe(404);
  });

  it('block and unblock', async () => {
    const { group } = await simDeployment();
    const k = await generate();
    const blocked = await callJson<Generated>('/key/block', { method: 'POST', json: { key: k.key } });
    expect(blocked.body.blocked).toBe(true);
    const refused = await callJson('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key });
    expect(refused.status).toBe(401);
    expect(expectEnvelope(refused.body).message).toMatch(/blocked/);
    expect((await callJson('/v1/models', { key: k.key })).status).toBe(401);
    await call('/key/unblock', { method: 'POST', json: { key: k.token } });
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key })).status).toBe(200);
  });

  it('regenerate (both routes) moves the record and spend to a new key; the old one is refused', async () => {
    const { group } = await simDeployment();
    const k = await generate({ key_alias: unique('regen'), models: [group], rpm_limit: 50 });
    await call('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key });
    const r1 = await callJson<Generated>('/key/regenerate', { method: 'POST', json: { key: k.key } });
    expect(r1.status).toBe(200);
    expect(r1.body.key).not.toBe(k.key);
    expect(r1.body).toMatchObject({ key_alias: k.key_alias, models: [group], rpm_limit: 50 });
    expect((await callJson('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key })).status).toBe(401);
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group), key: r1.body.key })).status).toBe(200);

    const custom = `sk-rotated-${crypto.randomUUID()}`;
    const r2 = await callJson<Generated>(`/key/${r1.body.token}/regenerate`, { method: 'POST', json: { new_key: custom, rpm_limit: 7 } });
    expect(r2.body).toMatchObject({ key: custom, rpm_limit: 7, key_alias: k.key_alias });
    expect((await callJson('/v1/chat/completions', { method: 'POST', json: chat(group), key: r1.body.key })).status).toBe(401);
    const listed = await callJson<{ keys: string[] }>(`/key/list?key_alias=${k.key_alias}`);
    expect(listed.body.keys).toEqual([r2.body.token]);
    expect((await callJson('/key/regenerate', { method: 'POST', json: { key: k.key } })).status).toBe(404);
    // The alias still belongs to the key: another key cannot take it (a regeneration used to delete its index entry
    // alongside rewriting it, and the delete could land last).
    const taken = await callJson('/key/generate', { method: 'POST', json: { key_alias: k.key_alias } });
    expect(taken.status).toBe(400);
    expect(expectEnvelope(taken.body).message).toContain('already exists');
  });

  it('an alias too long for its KV index entry is a 400 naming key_alias, not a storage error', async () => {
    const long = '鍵'.repeat(60); // 60 characters, 540 bytes URL-encoded
    const res = await callJson('/key/generate', { method: 'POST', json: { key_alias: long } });
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body).param).toBe('key_alias');
    const ok = await callJson<Generated>('/key/generate', { method: 'POST', json: { key_alias: `${'鍵'.repeat(50)}-${unique('a')}` } });
    expect(ok.status).toBe(200);
    const del = await callJson('/key/delete', { method: 'POST', json: { key_aliases: [long] } });
    expect(del.status).toBe(400);
  });

  it('an expired key is refused with expired_key', async () => {
    const { group } = await simDeployment();
    const k = await generate({ duration: '1s' });
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(group), key: k.key });
    expect(status).toBe(401);
    expect(expectEnvelope(body).type).toBe('expired_key');
  });
});

describe('keys from every header LiteLLM reads', () => {
  it('Authorization, x-litellm-api-key, x-api-key and api-key', async () => {
    const k = await generate();
    for (const header of ['authorization', 'x-litellm-api-key', 'x-api-key', 'api-key']) {
      const value = header === 'authorization' ? `Bearer ${k.key}` : k.key;
      const res = await call('/v1/models', { key: null, headers: { [header]: value } });
      expect(res.status, header).toBe(200);
    }
    expect((await call('/v1/models', { key: 'sk-never-issued-key-123' })).status).toBe(401);
  });
});
