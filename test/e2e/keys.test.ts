// Virtual keys as an openai-SDK user meets them: allowlists, revocation, blocking and rate limits map onto the
// SDK's typed errors.
import OpenAI, { APIError } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, caught, deploy, newKey, sdk, type Deployment } from './helpers/gateway';
import { settledRows } from './helpers/spend';

let a: Deployment;
let b: Deployment;
beforeAll(async () => {
  [a, b] = await Promise.all([deploy(), deploy()]);
});

const hello = (client: OpenAI, model: string) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello there' }] });

/** The wire envelope the SDK keeps on `err.error`. */
interface Envelope {
  message: string;
  type: string;
  param: string | null;
  code: string;
}

type ErrorClass<T> = abstract new (...args: never[]) => T;

function expectApiError<T extends APIError>(err: unknown, cls: ErrorClass<T>, status: number): T & { error: Envelope } {
  expect(err).toBeInstanceOf(cls);
  const e = err as T & { error: Envelope };
  expect(e.status).toBe(status);
  expect(e.code).toBe(String(status));
  expect(e.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: String(status) });
  expect(e.message).toContain(e.error.message);
  return e;
}

describe('model allowlist', () => {
  it('a key restricted to group A may use A; group B raises PermissionDeniedError (403)', async () => {
    const { key } = await newKey({ models: [a.group] });
    const client = sdk(key);
    expect((await hello(client, a.group)).choices[0]!.message.content).toBe('hello there');

    const err = expectApiError(await caught(() => hello(client, b.group)), OpenAI.PermissionDeniedError, 403);
    expect(err.type).toBe('key_model_access_denied');
    expect(err.param).toBe('model');
    expect(err.error.message).toContain(b.group);
    expect(err.headers?.get('x-litellm-call-id')).toBeTruthy();
    // Refused before any upstream call.
    expect(await b.sim.log()).toEqual([]);
  });

  it('models.list with a restricted key lists exactly its groups', async () => {
    const { key } = await newKey({ models: [a.group] });
    const page = await sdk(key).models.list();
    expect(page.data.map((m) => m.id)).toEqual([a.group]);
    // retrieve of a group outside the allowlist looks like an unknown model.
    const err = expectApiError(await caught(() => sdk(key).models.retrieve(b.group)), OpenAI.NotFoundError, 404);
    expect(err.param).toBe('model');
  });
});

describe('authentication', () => {
  it('a key the gateway never issued raises AuthenticationError (401), for inference and models.list', async () => {
    const client = sdk('sk-never-issued-0123456789abcdef');
    const err = expectApiError(await caught(() => hello(client, a.group)), OpenAI.AuthenticationError, 401);
    expect(err.type).toBe('auth_error');
    expect(err.error.message).not.toContain('sk-never-issued');
    expectApiError(await caught(() => client.models.list()), OpenAI.AuthenticationError, 401);
  });

  it('a key that does not look like a gateway key is refused too', async () => {
    expectApiError(await caught(() => hello(sdk('not-a-key'), a.group)), OpenAI.AuthenticationError, 401);
  });

  it('a deleted key fails on the very next request', async () => {
    const { key } = await newKey();
    const client = sdk(key);
    expect((await hello(client, a.group)).choices[0]!.message.content).toBe('hello there');
    expect(await admin('/key/delete', { json: { keys: [key] } })).toEqual({ deleted_keys: [key] });
    expectApiError(await caught(() => hello(client, a.group)), OpenAI.AuthenticationError, 401);
    expectApiError(await caught(() => client.models.list()), OpenAI.AuthenticationError, 401);
  });

  it('block → 401 at once; unblock → the key works again', async () => {
    const { key } = await newKey();
    const client = sdk(key);
    await hello(client, a.group);
    expect(await admin('/key/block', { json: { key } })).toMatchObject({ blocked: true });
    const err = expectApiError(await caught(() => hello(client, a.group)), OpenAI.AuthenticationError, 401);
    expect(err.error.message).toMatch(/blocked/i);
    expect(await admin('/key/unblock', { json: { key } })).toMatchObject({ blocked: false });
    expect((await hello(client, a.group)).choices[0]!.message.content).toBe('hello there');
  });
});

describe('rate limits', () => {
  it('rpm_limit 2: two calls pass with x-ratelimit headers, the third raises RateLimitError (429)', async () => {
    const { key } = await newKey({ rpm_limit: 2 });
    const client = sdk(key); // maxRetries 0: the SDK would otherwise retry the 429 itself
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 2; i++) {
      const { response } = await hello(client, a.group).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('2');
      remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
    }
    expect(remaining).toEqual(['1', '0']);
    const upstreamCalls = (await a.sim.log()).length;

    const err = expectApiError(await caught(() => hello(client, a.group)), OpenAI.RateLimitError, 429);
    expect(err.type).toBe('rpm_limit_exceeded');
    expect(err.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    const retryAfter = Number(err.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await a.sim.log()).length).toBe(upstreamCalls);
  });
});

describe('limits under concurrency', () => {
  it('rpm_limit 3 with 8 requests at once: exactly 3 pass, 5 raise RateLimitError', async () => {
    const { key } = await newKey({ rpm_limit: 3 });
    const client = sdk(key);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => hello(client, a.group)));
    const passed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(passed).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const err of refused) expect(expectApiError(err, OpenAI.RateLimitError, 429).type).toBe('rpm_limit_exceeded');
  });

  it('max_parallel_requests 1: a second request while the first is in flight raises RateLimitError', async () => {
    const slow = await deploy({ sim: { latencyMs: 400 } });
    const { key } = await newKey({ max_parallel_requests: 1 });
    const client = sdk(key);
    const first = hello(client, slow.group);
    await slow.sim.waitForLog((log) => log.length === 1, 3000); // the first one is upstream now
    const err = expectApiError(await caught(() => hello(client, slow.group)), OpenAI.RateLimitError, 429);
    expect(err.type).toBe('max_parallel_requests_exceeded');
    expect((await first).choices[0]!.message.content).toBe('hello there');
    // The slot is free again once the first request finished.
    expect((await hello(client, slow.group)).choices[0]!.message.content).toBe('hello there');
  });
});

describe('expiry', () => {
  it('a key past its duration raises AuthenticationError (401, expired_key)', async () => {
    const { key } = await newKey({ duration: '1s' });
    await new Promise((r) => setTimeout(r, 1100));
    const err = expectApiError(await caught(() => hello(sdk(key), a.group)), OpenAI.AuthenticationError, 401);
    expect(err.type).toBe('expired_key');
  });
});

describe('budgets', () => {
  it('once spend reaches max_budget, the next call raises RateLimitError (429, budget_exceeded)', async () => {
    const priced = await deploy({ info: { input_cost_per_token: 0.001, output_cost_per_token: 0.001 } });
    const { key } = await newKey({ max_budget: 0.003 });
    const client = sdk(key);
    await hello(client, priced.group); // 2 + 2 tokens at $0.001: $0.004, over the budget
    await settledRows(key, 1);
    const err = expectApiError(await caught(() => hello(client, priced.group)), OpenAI.RateLimitError, 429);
    expect(err.type).toBe('budget_exceeded');
    expect(err.error.message).toMatch(/budget/i);
    expect((await priced.sim.log()).length).toBe(1);
  });
});
