import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import type { Bindings } from '../../src/env';
import { MASTER_KEY, call, expectEnvelope, simDeployment } from '../helpers/gateway';

// The Worker serves the JSON inference routes without Hono (src/routes/direct.ts); these tests hold it to exactly
// what Hono serves, on the paths it takes and the ones it leaves to Hono.

const bodies = (group: string): Record<string, unknown> => ({
  '/chat/completions': { model: group, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 },
  '/completions': { model: group, prompt: 'hi', max_tokens: 3 },
  '/embeddings': { model: group, input: 'hi' },
  '/rerank': { model: group, query: 'q', documents: ['a', 'b'] },
});

/** The same request through Hono alone (the app the Worker falls back to). */
async function viaHono(path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(new Request(`http://gateway.test${path}`, init), env as Bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const post = (json: unknown, key: string | null = MASTER_KEY): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  body: typeof json === 'string' ? json : JSON.stringify(json),
});

describe('JSON inference routes served without Hono', () => {
  it('answer on every path they are served at, with or without a query string', async () => {
    const { group } = await simDeployment();
    const paths: [string, unknown][] = [];
    for (const [path, body] of Object.entries(bodies(group))) paths.push([path, body], [`/v1${path}`, body]);
    paths.push(['/v2/rerank', bodies(group)['/rerank']], ['/v1/chat/completions?source=sdk', bodies(group)['/chat/completions']]);
    for (const [path, body] of paths) {
      const res = await call(path, { method: 'POST', json: body });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-litellm-model-group'), path).toBe(group);
      expect(res.headers.get('x-litellm-call-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      await res.body?.cancel();
    }
  });

  it('fail exactly as through Hono: status, envelope, call id on the error', async () => {
    const { group } = await simDeployment();
    const cases: [string, RequestInit][] = [
      ['/v1/chat/completions', post({ model: group, messages: [] })],
      ['/v1/chat/completions', post('{"model": ')],
      ['/v1/chat/completions', post({ model: 'no-such-group', messages: [{ role: 'user', content: 'x' }] })],
      ['/v1/embeddings', post({ model: group, input: 'x' }, null)],
      ['/v1/embeddings', post({ model: group, input: 'x' }, 'not-a-gateway-key')],
      ['/rerank', { ...post({ model: group, query: 'q', documents: ['a'] }), headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'text/plain' } }],
    ];
    for (const [path, init] of cases) {
      const direct = await call(path, { ...init, key: null });
      const hono = await viaHono(path, init);
      const label = `${path} ${String(init.body).slice(0, 40)}`;
      expect(direct.status, label).toBe(hono.status);
      expect(direct.status, label).toBeGreaterThanOrEqual(400);
      expect(direct.status, label).toBeLessThan(500);
      expect(expectEnvelope(await direct.json()), label).toEqual(expectEnvelope(await hono.json()));
      expect(direct.headers.get('x-litellm-call-id'), label).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('leave near misses to Hono: a trailing slash, another method or letter case is a 404 envelope', async () => {
    const { group } = await simDeployment();
    const body = bodies(group)['/chat/completions'];
    for (const [path, method] of [
      ['/v1/chat/completions/', 'POST'],
      ['/V1/chat/completions', 'POST'],
      ['/v1/chat/completions', 'GET'],
      ['/v3/rerank', 'POST'],
    ] as const) {
      const res = await call(path, method === 'GET' ? { method } : { method, json: body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expectEnvelope(await res.json());
    }
  });
});
