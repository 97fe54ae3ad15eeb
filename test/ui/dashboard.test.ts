import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { call, callJson, simDeployment, unique } from '../helpers/gateway';
import { UiSession } from '../helpers/ui';

const PAGES = ['/ui', '/ui/keys', '/ui/deployments', '/ui/usage', '/ui/batches', '/ui/keys/' + 'a'.repeat(64)];
const HASH = 'a'.repeat(64);
const PAGES_JSON = ['/ui/batch-progress.json', '/ui/batches/batch_x/output', '/ui/batches/batch_x/errors'];
const POSTS = [
  '/ui/keys', '/ui/deployments', '/ui/deployments/import', '/ui/deployments/remove', '/ui/logout', '/ui/batches/batch_x/cancel',
  `/ui/keys/${HASH}`, `/ui/keys/${HASH}/block`, `/ui/keys/${HASH}/unblock`, `/ui/keys/${HASH}/regenerate`, `/ui/keys/${HASH}/delete`,
];

describe('dashboard sessions', () => {
  it('without a session every page redirects to sign-in and every form post is refused', async () => {
    const anon = new UiSession();
    for (const path of PAGES) {
      const res = await anon.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/ui\/login\?next=/);
    }
    for (const path of PAGES_JSON) {
      const res = await anon.get(path);
      expect(res.status, path).toBe(303);
      expect(await res.text(), path).not.toContain('batch_');
    }
    for (const path of POSTS) expect((await anon.post(path, { _csrf: 'x' })).status, path).toBe(403);
    const forged = new UiSession();
    forged.cookie = 'gw_session=eyJzaWQiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA';
    expect((await forged.get('/ui/keys')).status).toBe(303);
  });

  it('signs in with the master key only, into a signed HttpOnly Secure SameSite=Strict cookie that does not hold the key', async () => {
    const wrong = await UiSession.signIn('sk-wrong');
    expect(wrong.res.status).toBe(401);
    const { session, res } = await UiSession.signIn();
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).not.toContain('sk-test-master');
    const page = await session.get('/ui/keys');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // Sign out ends the session, also for a copy of the cookie kept after it.
    const csrf = await session.csrf();
    expect((await session.get('/ui/keys')).status).toBe(200);
    expect((await session.post('/ui/logout', {})).status).toBe(303);
    const replay = await session.get('/ui/keys');
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/ui\/login/);
    expect((await session.post('/ui/keys', { key_alias: unique('after-logout'), _csrf: csrf })).status).toBe(403);
  });

  it('refuses state changes without the session\'s CSRF token or from another origin', async () => {
    const { session } = await UiSession.signIn();
    const alias = unique('csrf');
    expect((await session.post('/ui/keys', { key_alias: alias, _csrf: 'not-the-token' })).status).toBe(403);
    expect((await session.post('/ui/keys', { key_alias: alias }, true, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const other = (await UiSession.signIn()).session;
    expect((await session.post('/ui/keys', { key_alias: alias, _csrf: await other.csrf() })).status).toBe(403);
    const listed = await callJson<{ keys: string[] }>(`/key/list?key_alias=${alias}`);
    expect(listed.body.keys).toEqual([]);
  });
});

describe('dashboard forms', () => {
  it('creates a key (shown once), edits it, blocks it (the API answers 401), regenerates and deletes it', async () => {
    const { group } = await simDeployment();
    const { session } = await UiSession.signIn();
    const alias = unique('ui-key');
    const created = await session.post('/ui/keys', { key_alias: alias, models: group, rpm_limit: '100', max_budget: '5' });
    expect(created.status).toBe(200);
    const html = await created.text();
    const plaintext = /<code id="new-key">(sk-[^<]+)<\/code>/.exec(html)![1]!;
    const chat = { model: group, messages: [{ role: 'user', content: 'hi' }] };
    expect((await call('/v1/chat/completions', { method: 'POST', key: plaintext, json: chat })).status).toBe(200);
    const { body } = await callJson<{ keys: { token: string; rpm_limit: number; max_budget: number }[] }>(`/key/list?key_alias=${alias}&return_full_object=true`);
    const token = body.keys[0]!.token;
    expect(body.keys[0]).toMatchObject({ rpm_limit: 100, max_budget: 5 });
    const listPage = await (await session.get('/ui/keys')).text();
    expect(listPage).toContain(alias);
    expect(listPage).not.toContain(plaintext);

    const bad = await session.post(`/ui/keys/${token}`, { key_alias: alias, models: group, rpm_limit: 'lots' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/rpm_limit/);
    expect((await session.post(`/ui/keys/${token}`, { key_alias: alias, models: group, rpm_limit: '7', duration: 'keep' })).status).toBe(303);
    expect((await callJson<{ info: { rpm_limit: number; max_budget: null } }>(`/key/info?key=${token}`)).body.info).toMatchObject({ rpm_limit: 7, max_budget: null });

    expect((await session.post(`/ui/keys/${token}/block`, {})).status).toBe(303);
    expect((await call('/v1/chat/completions', { method: 'POST', key: plaintext, json: chat })).status).toBe(401);
    expect((await session.post(`/ui/keys/${token}/unblock`, {})).status).toBe(303);
    expect((await call('/v1/chat/completions', { method: 'POST', key: plaintext, json: chat })).status).toBe(200);

    const regen = await (await session.post(`/ui/keys/${token}/regenerate`, {})).text();
    const fresh = /<code id="new-key">(sk-[^<]+)<\/code>/.exec(regen)![1]!;
    expect((await call('/v1/chat/completions', { method: 'POST', key: plaintext, json: chat })).status).toBe(401);
    expect((await call('/v1/chat/completions', { method: 'POST', key: fresh, json: chat })).status).toBe(200);
    const freshToken = (await callJson<{ keys: string[] }>(`/key/list?key_alias=${alias}`)).body.keys[0]!;
    expect((await session.get(`/ui/keys/${freshToken}/delete`)).status).toBe(200);
    expect((await session.post(`/ui/keys/${freshToken}/delete`, {})).status).toBe(303);
    expect((await call('/v1/chat/completions', { method: 'POST', key: fresh, json: chat })).status).toBe(401);
  });

  it('adds, imports and removes deployments; the usage page shows spend', async () => {
    const { session } = await UiSession.signIn();
    const group = unique('ui-dep');
    const added = await session.post('/ui/deployments', { model_name: group, model: 'hosted_vllm/sim-model', mode: 'chat', input_cost_per_token: '0.5' });
    expect(added.status).toBe(200);
    expect(await added.text()).toContain(group);
    expect((await call('/v1/chat/completions', { method: 'POST', json: { model: group, messages: [{ role: 'user', content: 'a b' }] } })).status).toBe(200);
    const invalid = await session.post('/ui/deployments', { model_name: group, model: 'anthropic/x', api_key: 'secret-never-echoed' });
    expect(invalid.status).toBe(400);
    const invalidHtml = await invalid.text();
    expect(invalidHtml).toMatch(/litellm_params\.model/);
    expect(invalidHtml).not.toContain('secret-never-echoed');
    const imported = unique('ui-import');
    const yaml = `model_list:\n  - model_name: ${imported}\n    litellm_params:\n      model: hosted_vllm/sim-model\n`;
    expect(await (await session.post('/ui/deployments/import', { config: yaml })).text()).toMatch(/Imported 1 deployment/);
    expect((await call('/v1/chat/completions', { method: 'POST', json: { model: imported, messages: [{ role: 'user', content: 'x' }] } })).status).toBe(200);
    expect((await session.post('/ui/deployments/import', { config: 'model_list: [\n' })).status).toBe(400);
    const info = await callJson<{ data: { model_name: string; model_info: { id: string } }[] }>('/model/info');
    const id = info.body.data.find((d) => d.model_name === imported)!.model_info.id;
    expect((await session.post('/ui/deployments/remove', { id })).status).toBe(303);
    expect((await call('/v1/chat/completions', { method: 'POST', json: { model: imported, messages: [{ role: 'user', content: 'x' }] } })).status).toBe(404);
    for (let i = 0; i < 50; i++) {
      const usage = await (await session.get('/ui/usage')).text();
      if (usage.includes(group)) {
        expect(usage).toContain('<svg');
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('spend never showed on the usage page');
  });
});

describe('routing performance guard', () => {
  it('every route fits Hono\'s RegExpRouter (a conflicting pattern would slow every request)', async () => {
    const app = buildApp() as unknown as { router: { activeRouter?: { name: string } } };
    await (app as unknown as { fetch: (r: Request, env: unknown) => Promise<Response> }).fetch(new Request('http://x/health/liveliness'), {});
    expect(app.router.activeRouter?.name).toBe('RegExpRouter');
  });
});
