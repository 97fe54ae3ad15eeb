import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { Bindings } from '../../src/env';
import { MASTER_KEY, call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

async function expectError(res: Promise<{ status: number; body: unknown }>, status: number, match?: RegExp) {
  const r = await res;
  expect(r.status).toBe(status);
  const error = expectEnvelope(r.body);
  expect(error.code).toBe(String(status));
  if (match) expect(error.message).toMatch(match);
  return error;
}

describe('bad input gets a 4xx envelope that says what is wrong', () => {
  it('malformed JSON, non-object JSON and an empty body', async () => {
    for (const body of ['{"model": ', '[1,2]', '"x"', '']) {
      await expectError(callJson('/v1/chat/completions', { method: 'POST', body, headers: { 'content-type': 'application/json' } }), 400);
    }
  });

  it('wrong types and missing fields name the field', async () => {
    const { group } = await simDeployment();
    const cases: [string, unknown, string][] = [
      ['/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
      ['/v1/chat/completions', { model: group }, 'messages'],
      ['/v1/chat/completions', { model: group, messages: 'hi' }, 'messages'],
      ['/v1/chat/completions', { model: group, messages: [] }, 'messages'],
      ['/v1/chat/completions', { model: group, messages: [{ content: 'x' }] }, 'messages[0].role'],
      ['/v1/chat/completions', { model: 42, messages: [{ role: 'user', content: 'x' }] }, 'model'],
      ['/v1/chat/completions', { ...chat(group), stream: 'yes' }, 'stream'],
      ['/v1/chat/completions', { ...chat(group), max_tokens: -5 }, 'max_tokens'],
      ['/v1/completions', { model: group }, 'prompt'],
      ['/v1/embeddings', { model: group, input: { a: 1 } }, 'input'],
      ['/v1/embeddings', { model: group, input: 'x', encoding_format: 'hex' }, 'encoding_format'],
      ['/v1/rerank', { model: group, query: 'q', documents: [] }, 'documents'],
      ['/v1/rerank', { model: group, documents: ['a'] }, 'query'],
    ];
    for (const [path, json, param] of cases) {
      const error = await expectError(callJson(path, { method: 'POST', json }), 400);
      expect(error.param, `${path} ${JSON.stringify(json)}`).toBe(param);
      expect(error.message).toContain(param);
    }
  });

  it('an unknown model group, a wrong content type and an oversized body', async () => {
    const unknown = await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat('nope-nothing') }), 404, /nope-nothing/);
    expect(unknown.param).toBe('model');
    await expectError(
      callJson('/v1/chat/completions', { method: 'POST', body: JSON.stringify(chat('x')), headers: { 'content-type': 'text/plain' } }),
      415,
      /application\/json/,
    );
    const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'a'.repeat(17 * 1024 * 1024) }] });
    await expectError(callJson('/v1/chat/completions', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } }), 413, /16 MiB limit/);
    // Limits under a MiB are stated in KiB, not rounded to "0 MiB".
    const batch = JSON.stringify({ input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { note: 'a'.repeat(70_000) } });
    await expectError(callJson('/v1/batches', { method: 'POST', body: batch, headers: { 'content-type': 'application/json' } }), 413, /64 KiB limit/);
  });

  it('a body that breaks off before its Content-Length is a 400, for inference and admin routes alike', async () => {
    const broken = (text: string) => {
      let sent = false;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error('connection lost'));
          sent = true;
          controller.enqueue(new TextEncoder().encode(text));
        },
      });
    };
    const partial = '{"model":"x","messages":[{"role":"user","content":"hel';
    // Straight to the Worker's handler: the body is then the stream itself, which fails as a broken connection does.
    for (const path of ['/v1/chat/completions', '/v1/embeddings', '/model/new', '/config/import']) {
      const headers = { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'content-length': String(partial.length + 50) };
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://gw${path}`, { method: 'POST', headers, body: broken(partial) }), env as unknown as Bindings, ctx);
      await waitOnExecutionContext(ctx);
      const error = await expectError(Promise.resolve({ status: res.status, body: await res.json() }), 400);
      expect(error.message).toMatch(/could not be read in full/);
    }
  });

  it('unknown routes and missing or wrong keys', async () => {
    await expectError(callJson('/v1/nothing-here'), 404);
    await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat('x'), key: null }), 401, /No API key/);
    await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat('x'), key: 'not-a-key' }), 401);
    await expectError(callJson('/model/info', { key: 'sk-some-virtual-key' }), 401, /master key/);
  });

  it('every inference answer and every error carries its own call id', async () => {
    const d = await simDeployment();
    const answers = await Promise.all([
      call('/v1/nothing-here'),
      call('/v1/chat/completions', { method: 'POST', json: chat('x'), key: null }),
      call('/v1/chat/completions', { method: 'POST', json: { model: d.group } }),
      call('/v1/chat/completions', { method: 'POST', json: chat(d.group) }),
      call('/v2/rerank', { method: 'POST', json: { model: d.group, query: 'q', documents: ['a'] } }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([404, 401, 400, 200, 200]);
    const ids = answers.map((r) => r.headers.get('x-litellm-call-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('upstream failures keep their status and message', () => {
  it('relays vLLM errors (context length 400) in the envelope', async () => {
    const { group } = await simDeployment({ sim: { maxModelLen: 10 } });
    const error = await expectError(
      callJson('/v1/chat/completions', { method: 'POST', json: { ...chat(group), max_tokens: 50 } }),
      400,
      /maximum context length is 10 tokens/,
    );
    expect(error.type).toBe('BadRequestError');
  });

  it("normalises vLLM's 401 {\"error\":\"Unauthorized\"} and never leaks the upstream key", async () => {
    const { group } = await simDeployment({ sim: { apiKey: 'the-real-upstream-key' } });
    const error = await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat(group) }), 401, /Unauthorized/);
    expect(error.message).toMatch(/rejected the gateway's credentials/);
    const ok = await simDeployment({ sim: { apiKey: 'upstream-secret-value' }, params: { api_key: 'os.environ/SIM_UPSTREAM_KEY' } });
    const good = await call('/v1/chat/completions', { method: 'POST', json: chat(ok.group) });
    expect(good.status).toBe(200);
    expect((await ok.sim.log())[0]!.headers.authorization).toBe('Bearer upstream-secret-value');
    const info = await call('/model/info');
    const text = await info.text();
    expect(text).toContain('os.environ/SIM_UPSTREAM_KEY');
    expect(text).not.toContain('upstream-secret-value');
  });

  it('an unreachable upstream is a 502 and a slow one a 504', async () => {
    const down = await simDeployment({ sim: { refuse: true } });
    await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat(down.group) }), 502, /could not be reached/);
    const slow = await simDeployment({ sim: { latencyMs: 3000 }, params: { timeout: 0.3 } });
    await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat(slow.group) }), 504, /within/);
    const slowStream = await simDeployment({ sim: { latencyMs: 3000 }, params: { stream_timeout: 0.3 } });
    await expectError(
      callJson('/v1/chat/completions', { method: 'POST', json: { ...chat(slowStream.group), stream: true } }),
      504,
    );
  });

  it('HOSTED_VLLM_API_KEY is the upstream key of deployments that name none; without it no Authorization is sent', async () => {
    const d = await simDeployment({ sim: { apiKey: 'default-upstream-key' } });
    const withDefault = { ...(env as unknown as Bindings), HOSTED_VLLM_API_KEY: 'default-upstream-key' };
    const ctx = createExecutionContext();
    const init = { method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(chat(d.group)) };
    const ok = await worker.fetch(new Request('http://gw/v1/chat/completions', init), withDefault, ctx);
    await waitOnExecutionContext(ctx);
    expect(ok.status).toBe(200);
    const refused = await callJson('/v1/chat/completions', { method: 'POST', json: chat(d.group) });
    expect(refused.status).toBe(401);
    const [first, second] = await d.sim.log();
    expect(first!.headers.authorization).toBe('Bearer default-upstream-key');
    expect(second!.headers.authorization).toBeUndefined();
  });

  it('readiness answers without auth', async () => {
    const { status, body } = await callJson('/health/readiness', { key: null });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: expect.any(String) });
  });

  it('a misconfigured os.environ reference is a clear 503 naming the variable, not its value', async () => {
    const { group } = await simDeployment({ params: { api_key: 'os.environ/NOT_SET_ANYWHERE' } });
    await expectError(callJson('/v1/chat/completions', { method: 'POST', json: chat(group) }), 503, /NOT_SET_ANYWHERE/);
  });
});

describe('a gateway without MASTER_KEY stays closed', () => {
  it('refuses admin and API routes with a clear error, but still answers liveness', async () => {
    const bare = { ...(env as unknown as Bindings), MASTER_KEY: undefined };
    const send = async (path: string, init: RequestInit = {}) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://gw${path}`, init), bare, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    for (const [path, init] of [
      ['/v1/models', { headers: { authorization: `Bearer ${MASTER_KEY}` } }],
      ['/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer anything' }, body: '{}' }],
      ['/model/info', {}],
      ['/key/list', { headers: { authorization: 'Bearer ' } }],
    ] as [string, RequestInit][]) {
      const res = await send(path, init);
      expect(res.status, path).toBe(503);
      expect(expectEnvelope(await res.json()).message).toMatch(/MASTER_KEY/);
    }
    expect((await send('/health/liveliness')).status).toBe(200);
    expect((await send('/health/readiness')).status).toBe(503);
  });
});
