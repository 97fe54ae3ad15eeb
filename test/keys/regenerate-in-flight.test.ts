import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/hash';
import { KeyLedger } from '../../src/keys/key-ledger';
import type { Settlement } from '../../src/keys/ledger-types';
import { callJson, expectEnvelope, simDeployment, type SimDeployment } from '../helpers/gateway';
import { call, keySpend, nanos, newKey, settledRows, type SpendRow, type TestKey } from '../helpers/keys';

const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };
/** The simulator echoes "a b c": 3 prompt and 3 completion tokens, $0.009. */
const body = (model: string) => ({ model, max_tokens: 3, messages: [{ role: 'user', content: 'a b c' }] });
/** What admission reserves for that request (see test/accounting/budget.test.ts). */
const RESERVATION = (5 + 16 + 8) * 0.001 + 3 * 0.002;
const LATENCY_MS = 2000;

const chat = (dep: SimDeployment, key: string) => call('/v1/chat/completions', { method: 'POST', key, json: body(dep.group) });

async function regenerate(token: string): Promise<TestKey> {
  const { status, body: k } = await callJson<TestKey>(`/key/${token}/regenerate`, { method: 'POST', json: {} });
  if (status !== 200) throw new Error(`regenerate: ${status} ${JSON.stringify(k)}`);
  return k;
}

/**
 * Sends `n` requests at once and resolves when each was either refused or reached the (slow) upstream, so the
 * admitted ones are in flight; `done` resolves with every response.
 */
async function burst(dep: SimDeployment, key: string, n: number): Promise<{ admitted: number; done: Promise<Response[]> }> {
  await dep.sim.clearLog();
  let refused = 0;
  const responses = Array.from({ length: n }, () =>
    chat(dep, key).then((r) => {
      if (r.status !== 200) refused++;
      return r;
    }),
  );
  const log = await dep.sim.waitForLog((entries) => entries.length + refused >= n, 5000);
  return { admitted: log.length, done: Promise.all(responses) };
}

function costs(responses: Response[]): { ids: string[]; nanos: number } {
  const ok = responses.filter((r) => r.status === 200);
  return {
    ids: ok.map((r) => r.headers.get('x-litellm-call-id')!),
    nanos: ok.reduce((sum, r) => sum + nanos(r.headers.get('x-litellm-response-cost')!), 0),
  };
}

async function logsOf(token: string): Promise<SpendRow[]> {
  return (await callJson<SpendRow[]>(`/spend/logs?api_key=${token}&limit=1000`)).body;
}

const stub = (token: string) => env.KEYS.get(env.KEYS.idFromName(token));

function settlement(requestId: string, cost: number): Settlement {
  const now = Date.now();
  return {
    requestId, group: 'g', deploymentId: 'd', callType: 'chat', promptTokens: 3, completionTokens: 4, totalTokens: 7,
    nanos: cost, status: 'success', estimated: false, startedAt: now, endedAt: now,
  };
}

/**
 * Leaves a regeneration of `old` into `newKey` the way a call that died right after the hand-over leaves it: the
 * old ledger regenerated, the new one pending. `stored: false` is a pending ledger as the code before `predecessor`
 * stored it (it does not know its predecessor).
 */
async function stopAfterHandover(old: TestKey, newKey: string, stored: boolean): Promise<string> {
  const next = await sha256Hex(newKey);
  const record = await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.snapshot()!.record);
  const changes = { token: next, key_name: 'sk-...next', key_alias: null };
  const prepared = await runInDurableObject(stub(next), (ledger: KeyLedger) =>
    ledger.prepare({ ...record, ...changes }, stored ? { predecessor: old.token, changes } : undefined),
  );
  expect(prepared).toBe(true);
  const handed = await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.handOver(next));
  expect(handed).not.toBeNull();
  return next;
}

describe('regenerating a key while its requests are in flight', () => {
  it('bills the in-flight calls to the new key (spend and spend logs), and the budget holds', async () => {
    const dep = await simDeployment({ sim: { latencyMs: LATENCY_MS }, info: PRICE });
    const maxBudget = 0.2;
    const old = await newKey({ max_budget: maxBudget });
    const { admitted, done } = await burst(dep, old.key, 10);
    expect(admitted).toBeGreaterThan(1);
    expect(admitted).toBeLessThan(10);

    const fresh = await regenerate(old.token);
    // The in-flight requests' reservations came along: the new key's budget is held by them.
    const held = await callJson('/v1/chat/completions', { method: 'POST', key: fresh.key, json: body(dep.group) });
    expect(held.status).toBe(429);
    expect(expectEnvelope(held.body).message).toMatch(/held by requests in flight/);

    const inFlight = costs(await done);
    expect(inFlight.ids).toHaveLength(admitted);
    const rows = await settledRows(fresh.token, admitted);
    expect(rows.map((r) => r.request_id).sort()).toEqual([...inFlight.ids].sort());
    expect(rows.every((r) => r.api_key === fresh.token)).toBe(true);
    expect(nanos(await keySpend(fresh.key))).toBe(inFlight.nanos);
    expect((await logsOf(old.token)).filter((r) => inFlight.ids.includes(r.request_id))).toEqual([]);

    // Spend the rest with the new key: the total over both keys stays within one reservation of the budget.
    await dep.sim.configure({ latencyMs: 0 });
    let total = inFlight.nanos;
    let count = admitted;
    for (;;) {
      const r = await chat(dep, fresh.key);
      if (r.status !== 200) {
        expect(r.status).toBe(429);
        expect(expectEnvelope(await r.json()).message).toMatch(/Budget has been exceeded/);
        break;
      }
      total += nanos(r.headers.get('x-litellm-response-cost')!);
      await settledRows(fresh.token, ++count);
    }
    expect(nanos(await keySpend(fresh.key))).toBe(total);
    expect(total).toBeLessThanOrEqual(nanos(maxBudget + RESERVATION));
  });

  it('holds the parallel limit across two regenerations in a row, and the calls land on the last key', async () => {
    const dep = await simDeployment({ sim: { latencyMs: LATENCY_MS }, info: PRICE });
    const a = await newKey({ max_parallel_requests: 2 });
    const { admitted, done } = await burst(dep, a.key, 2);
    expect(admitted).toBe(2);

    const b = await regenerate(a.token);
    const refusedB = await callJson('/v1/chat/completions', { method: 'POST', key: b.key, json: body(dep.group) });
    expect(refusedB.status).toBe(429);
    expect(refusedB.res.headers.get('rate_limit_type')).toBe('max_parallel_requests');
    const c = await regenerate(b.token);
    expect((await callJson('/v1/chat/completions', { method: 'POST', key: c.key, json: body(dep.group) })).status).toBe(429);

    const inFlight = costs(await done);
    const rows = await settledRows(c.token, 2);
    expect(rows.map((r) => r.request_id).sort()).toEqual([...inFlight.ids].sort());
    expect(nanos(await keySpend(c.key))).toBe(inFlight.nanos);
    // Settled, the slots are free again.
    expect((await chat(dep, c.key)).status).toBe(200);
  });

  it('forwards late settlements once: a repeat, or one booked before the handover, is not charged again', async () => {
    const old = await newKey();
    const now = Date.now();
    const before = settlement(`before-${now}`, 1_000_000);
    const late = settlement(`late-${now}`, 2_000_000);
    await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.settleMany({ apiKey: old.token, items: [before] }));

    const fresh = await regenerate(old.token);
    expect(nanos(await keySpend(fresh.key))).toBe(1_000_000);
    // The outbox resends a batch whose answer it did not get: both copies and the earlier booking arrive again.
    for (let i = 0; i < 2; i++) {
      await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.settleMany({ apiKey: old.token, items: [before, late] }));
    }
    expect(nanos(await keySpend(fresh.key))).toBe(3_000_000);
    expect((await logsOf(fresh.token)).map((r) => r.request_id)).toEqual([late.requestId]);
    expect((await logsOf(old.token)).map((r) => r.request_id)).toEqual([before.requestId]);
  });

  it('a settlement forwarded between the handover and the adoption is booked once and not reserved again', async () => {
    const old = await newKey({ max_parallel_requests: 1 });
    const next = `${crypto.randomUUID().replace(/-/g, '')}${crypto.randomUUID().replace(/-/g, '')}`;
    const id = `between-${Date.now()}`;
    const estimate = { tokens: 10, nanos: 5_000_000 };
    const admit = async (ledger: KeyLedger) => (await ledger.admit({ requestId: `${id}-${Math.random()}`, group: 'g', estimate })).ok;
    const before = await runInDurableObject(stub(old.token), async (ledger: KeyLedger) => ({
      admitted: (await ledger.admit({ requestId: id, group: 'g', estimate })).ok,
      admittedAgain: await admit(ledger),
      record: ledger.snapshot()!.record,
    }));
    expect([before.admitted, before.admittedAgain]).toEqual([true, false]);
    const changes = { token: next };
    const regeneration = { predecessor: old.token, changes };
    expect(await runInDurableObject(stub(next), (ledger: KeyLedger) => ledger.prepare({ ...before.record, ...changes }, regeneration))).toBe(true);
    const handed = await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.handOver(next));
    expect(handed!.reservations.map((r) => r.requestId)).toEqual([id]);
    const done: Settlement = { ...settlement(id, 700_000), promptTokens: 1, completionTokens: 1, totalTokens: 2 };
    await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.settleMany({ apiKey: old.token, items: [done] }));
    const after = await runInDurableObject(stub(next), async (ledger: KeyLedger) => ({
      outcome: await ledger.takeOver(),
      spend: ledger.view()!.spend,
      admitted: await admit(ledger),
    }));
    expect(after).toEqual({ outcome: 'adopted', spend: 0.0007, admitted: true });
  });

  it('a ledger stored before successors existed (no successor column) is migrated and still regenerates', async () => {
    const old = await newKey({ max_budget: 1 });
    const stub = env.KEYS.get(env.KEYS.idFromName(old.token));
    const restarted = await runInDurableObject(stub, (_ledger: KeyLedger, state) => {
      const sql = state.storage.sql;
      sql.exec('CREATE TABLE key_state_old AS SELECT id, status, record, spend_nanos, budget_reset_at FROM key_state');
      sql.exec('DROP TABLE key_state');
      sql.exec('ALTER TABLE key_state_old RENAME TO key_state');
      // A fresh instance over the same storage is what the runtime builds after a deploy.
      return new KeyLedger(state, env).view()?.max_budget;
    });
    expect(restarted).toBe(1);
    const fresh = await regenerate(old.token);
    expect(await keySpend(fresh.key)).toBe(0);
  });
});

describe('a regeneration that stopped after the hand-over (old key regenerated, new key still pending)', () => {
  it('is finished by a retry of the regeneration, which regenerates on from the key it had got to', async () => {
    const old = await newKey({ max_budget: 5 });
    await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.settleMany({ apiKey: old.token, items: [settlement(`spent-${Date.now()}`, 4_000_000)] }));
    // Left by the code before `predecessor`: only the old key knows where it went.
    const lost = await stopAfterHandover(old, `sk-lost-${crypto.randomUUID()}`, false);

    const retried = await regenerate(old.token);
    expect(nanos(await keySpend(retried.key))).toBe(4_000_000);
    const info = await callJson<{ info: { max_budget: number } }>(`/key/info?key=${retried.key}`);
    expect(info.body.info.max_budget).toBe(5);
    // Nobody ever got the key it had got to: it is regenerated away like the old one.
    expect((await callJson(`/key/info?key=${lost}`)).status).toBe(404);
    expect((await callJson(`/key/info?key=${old.token}`)).status).toBe(404);
    expect((await callJson(`/key/${old.token}/regenerate`, { method: 'POST', json: {} })).status).toBe(404);
  });

  it('a retry with the same new_key returns that key, with the spend of the old one', async () => {
    const old = await newKey();
    await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.settleMany({ apiKey: old.token, items: [settlement(`spent-${Date.now()}`, 2_000_000)] }));
    const newKeyValue = `sk-chosen-${crypto.randomUUID()}`;
    const next = await stopAfterHandover(old, newKeyValue, true);

    const { status, body: k } = await callJson<TestKey>(`/key/${old.token}/regenerate`, { method: 'POST', json: { new_key: newKeyValue } });
    expect(status).toBe(200);
    expect(k).toMatchObject({ key: newKeyValue, token: next });
    expect(nanos(await keySpend(newKeyValue))).toBe(2_000_000);
  });

  it('the new key finishes it on its first request', async () => {
    const dep = await simDeployment({ info: PRICE });
    const old = await newKey({ key_alias: `half-${crypto.randomUUID()}` });
    const newKeyValue = `sk-chosen-${crypto.randomUUID()}`;
    const next = await stopAfterHandover(old, newKeyValue, true);

    const r = await chat(dep, newKeyValue);
    expect(r.status).toBe(200);
    await settledRows(next, 1);
    expect((await chat(dep, old.key)).status).toBe(401);
    const { body: listed } = await callJson<{ keys: string[] }>('/key/list');
    expect(listed.keys).toContain(next);
    expect(listed.keys).not.toContain(old.token);
  });

  it('a pending key whose predecessor was deleted meanwhile is discarded, not adopted', async () => {
    const old = await newKey();
    const newKeyValue = `sk-chosen-${crypto.randomUUID()}`;
    const next = await sha256Hex(newKeyValue);
    const record = await runInDurableObject(stub(old.token), (ledger: KeyLedger) => ledger.snapshot()!.record);
    const regeneration = { predecessor: old.token, changes: { token: next } };
    await runInDurableObject(stub(next), (ledger: KeyLedger) => ledger.prepare({ ...record, token: next }, regeneration));
    expect((await callJson('/key/delete', { method: 'POST', json: { keys: [old.token] } })).status).toBe(200);
    expect((await callJson(`/key/info?key=${newKeyValue}`)).status).toBe(404);
    expect(await runInDurableObject(stub(next), (ledger: KeyLedger) => ledger.takeOver())).toBe('refused');
  });
});
