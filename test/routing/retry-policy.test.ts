// Which failures are retried where, which cool a deployment down, and how long a retry waits (LiteLLM's Router).
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/routing/backoff';
import { GatewayError } from '../../src/http/errors';
import { call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';
import { chat, pair, routerSettings } from '../helpers/routing';
import { newKey, settledRows } from '../helpers/keys';

afterEach(async () => {
  await routerSettings({});
});

/** Sends `n` requests one after the other (each read to its end). */
async function sequential(group: string, n: number): Promise<Response[]> {
  const out: Response[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(group) });
    await res.arrayBuffer();
    out.push(res);
  }
  return out;
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

const misconfigured: [string, Parameters<typeof simDeployment>[0]][] = [
  // The simulator runs with --api-key; the deployment sends another key.
  ['401 (wrong upstream key)', { sim: { apiKey: 'the-real-key' }, params: { api_key: 'a-wrong-key' } }],
  // vLLM serves another model than the deployment names.
  ['404 (model not served there)', { sim: { models: ['another-model'] } }],
];

describe('a misconfigured deployment', () => {
  it.each(misconfigured)('answering %s: every request succeeds on the other one, and it cools down at once', async (_name, bad) => {
    const { group, good, broken } = await pair(bad);
    const results = await sequential(group, 16);
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(new Set(results.map((r) => r.headers.get('x-litellm-model-id')))).toEqual(new Set([good.id]));
    // Tried once, then skipped for cooldown_time (5 s by default) without waiting for allowed_fails (3) failures.
    expect((await broken.sim.log()).length).toBe(1);
    expect(results.filter((r) => r.headers.get('x-litellm-attempted-retries') === '1')).toHaveLength(1);
  });

  it('answering 403 is retried on the other one but, as in LiteLLM, not cooled down', async () => {
    const { group, good, broken } = await pair({ sim: { status: 403 } });
    const results = await sequential(group, 16);
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(new Set(results.map((r) => r.headers.get('x-litellm-model-id')))).toEqual(new Set([good.id]));
    expect((await broken.sim.log()).length).toBeGreaterThan(1);
  });

  it('alone in its group: one attempt, no pause, the client gets its 401', async () => {
    const d = await simDeployment(misconfigured[0]![1]);
    const started = Date.now();
    const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(d.group) });
    expect(status).toBe(401);
    expect(expectEnvelope(body).message).toMatch(/rejected the gateway's credentials/);
    expect(Date.now() - started).toBeLessThan(350);
    expect((await d.sim.log()).length).toBe(1);
  });

  it('every deployment misconfigured: each is tried once, none twice, and the client gets the error', async () => {
    const a = await simDeployment(misconfigured[0]![1]);
    const b = await simDeployment({ ...misconfigured[1]![1], group: a.group });
    const started = Date.now();
    const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json: chat(a.group) });
    expect([401, 404]).toContain(status);
    expectEnvelope(body);
    expect(Date.now() - started).toBeLessThan(350);
    expect((await a.sim.log()).length).toBe(1);
    expect((await b.sim.log()).length).toBe(1);
  });
});

describe("the client's own errors", () => {
  it('a 400 is neither retried nor held against the deployment', async () => {
    const { group, good, broken } = await pair({ sim: { status: 400 } });
    const results = await sequential(group, 20);
    const toBroken = (await broken.sim.log()).length;
    // One attempt per request, and the deployment keeps its share of the traffic (never cooled down).
    expect(toBroken + (await good.sim.log()).length).toBe(20);
    expect(results.filter((r) => r.status === 400)).toHaveLength(toBroken);
    expect(toBroken).toBeGreaterThan(1);
  });

  it('a prompt too long for the model is one attempt, without a pause', async () => {
    const d = await simDeployment({ sim: { maxModelLen: 8 } });
    const other = await simDeployment({ group: d.group, sim: { maxModelLen: 8 } });
    const started = Date.now();
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(d.group, { max_tokens: 50 }) });
    expect(res.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(350);
    expect((await d.sim.log()).length + (await other.sim.log()).length).toBe(1);
  });
});

describe('pauses before a retry', () => {
  it('the only deployment answering 500 is retried after LiteLLM backoff (0.5 s, then 0.5 s, less up to a quarter)', async () => {
    const d = await simDeployment({ sim: { status: 500 } });
    const res = await call('/v1/chat/completions', { method: 'POST', json: chat(d.group) });
    expect(res.status).toBe(500);
    const log = await d.sim.log();
    expect(log).toHaveLength(3);
    for (const gap of gaps(log.map((e) => e.time))) {
      expect(gap).toBeGreaterThanOrEqual(370);
      expect(gap).toBeLessThan(1500);
    }
  });

  it('router_settings retry_after is the shortest pause', async () => {
    await routerSettings({ retry_after: 1, num_retries: 1 });
    const d = await simDeployment({ sim: { status: 500 } });
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(d.group) })).status).toBe(500);
    const log = await d.sim.log();
    expect(log).toHaveLength(2);
    expect(gaps(log.map((e) => e.time))[0]).toBeGreaterThanOrEqual(990);
  });

  it('a retry on another deployment does not wait', async () => {
    const { group, good, broken } = await pair({ sim: { status: 500 } });
    await routerSettings({ allowed_fails: 100 });
    // The deployment is drawn at random: go on until the broken one has been tried a few times (8 fixed requests
    // missed it entirely once in a CI run, a 1-in-256 draw).
    let failed = await broken.sim.log();
    for (let i = 0; i < 40 && failed.length < 3; i++) {
      const res = await call('/v1/chat/completions', { method: 'POST', json: chat(group) });
      expect(res.status).toBe(200);
      failed = await broken.sim.log();
    }
    const served = await good.sim.log();
    expect(failed.length).toBeGreaterThanOrEqual(3);
    // Each failure is followed by its retry on the good deployment without a backoff pause (≥ 375 ms).
    for (const f of failed) {
      const next = served.find((s) => s.time >= f.time)!;
      expect(next.time - f.time).toBeLessThan(300);
    }
  });

  it('a client that goes away during a pause ends it: its call is booked and its parallel slot freed at once', async () => {
    // A 503 with Retry-After: 8 from the only deployment: the gateway would wait 8 s before going back to it.
    const d = await simDeployment({ sim: { status: 503, retryAfterSeconds: 8 } });
    const ok = await simDeployment();
    const k = await newKey({ max_parallel_requests: 1 });
    const client = new AbortController();
    const pending = call('/v1/chat/completions', { method: 'POST', key: k.key, signal: client.signal, json: chat(d.group) });
    await d.sim.waitForLog((l) => l.length === 1 && l[0]!.completed, 2000);
    await new Promise((r) => setTimeout(r, 100));
    client.abort();
    await pending.catch(() => undefined);
    const [row] = await settledRows(k.token, 1, 2000);
    expect(row!.status).toBe('failure');
    expect((await call('/v1/chat/completions', { method: 'POST', key: k.key, json: chat(ok.group) })).status).toBe(200);
    // Nothing more went to the deployment for a client nobody is waiting for.
    await new Promise((r) => setTimeout(r, 200));
    expect((await d.sim.log()).length).toBe(1);
  });
});

describe('backoffMs', () => {
  const failure = (headers: Record<string, string> = {}) => new GatewayError('upstream_error', 'x', { status: 503, headers });

  it("follows LiteLLM's sequence: 0.5, 0.5, 1, 2, 4, 8, 8 s, each less up to a quarter", () => {
    const longest = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffMs(failure(), retry, 0, () => 0));
    expect(longest).toEqual([500, 500, 1000, 2000, 4000, 8000, 8000]);
    expect(backoffMs(failure(), 1, 0, () => 1)).toBe(375);
  });

  it('waits a Retry-After of up to 60 s as asked (seconds or a date), and ignores a longer one', () => {
    expect(backoffMs(failure({ 'retry-after': '3' }), 1, 0, () => 0)).toBe(3000);
    expect(backoffMs(failure({ 'retry-after': '60' }), 1, 0, () => 0)).toBe(60_000);
    expect(backoffMs(failure({ 'retry-after': '120' }), 1, 0, () => 0)).toBe(500);
    const date = new Date(Date.now() + 5000).toUTCString();
    const fromDate = backoffMs(failure({ 'retry-after': date }), 1, 0, () => 0);
    expect(fromDate).toBeGreaterThan(3000);
    expect(fromDate).toBeLessThanOrEqual(5000);
    expect(backoffMs(failure({ 'retry-after': 'soon' }), 1, 0, () => 0)).toBe(500);
  });

  it('never waits less than retry_after', () => {
    expect(backoffMs(failure(), 1, 2000, () => 0)).toBe(2000);
  });
});
