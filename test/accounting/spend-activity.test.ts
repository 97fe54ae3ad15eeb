// Spend reads across keys call only the ledgers that can hold matching rows (src/keys/ledger-activity.ts): each
// ledger keeps the day of its newest row in KV, and readers skip ledgers idle since before the range.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeSince, dayOf, NARROW_ABOVE, newestFirst } from '../../src/keys/ledger-activity';
import { callIdTime } from '../../src/http/call-id';
import type { Settlement } from '../../src/keys/ledger-types';
import { call, callJson, simDeployment } from '../helpers/gateway';
import { newKey, settledRows, type SpendRow } from '../helpers/keys';

const DAY = 86_400_000;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The activity entry of a ledger as KV lists it (undefined while there is none). */
async function entry(name: string): Promise<number | undefined> {
  const page = await env.GATEWAY_KV.list<{ d: number }>({ prefix: `active:${name}` });
  return page.keys.find((k) => k.name === `active:${name}`)?.metadata?.d;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (ok(v) || i > 100) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A row booked straight into a key's ledger, as its settlement would, at a time in the past. */
async function bookAt(token: string, group: string, startedAt: number): Promise<string> {
  const requestId = `backdated-${token.slice(0, 8)}-${startedAt}`;
  const s: Settlement = {
    requestId, group, deploymentId: null, callType: 'chat', promptTokens: 3, completionTokens: 4, totalTokens: 7,
    nanos: 5, status: 'success', estimated: false, startedAt, endedAt: startedAt + 10,
  };
  await env.KEYS.get(env.KEYS.idFromName(token)).settleMany({ apiKey: token, items: [s] });
  return requestId;
}

describe('ledger activity entries', () => {
  // Reads are narrowed only beyond a few ledgers: make sure there are more, whatever ran before in this worker.
  beforeAll(async () => {
    for (let i = 0; i <= NARROW_ABOVE; i++) await newKey();
  });

  it('a ledger records the day of its newest row; a key never used records none once a reader asks it', async () => {
    const { group } = await simDeployment();
    const used = await newKey();
    const idle = await newKey();
    await call('/v1/embeddings', { method: 'POST', key: used.key, json: { model: group, input: 'x' } });
    await settledRows(used.token, 1);
    expect(await eventually(() => entry(used.token), (d) => d !== undefined)).toBe(dayOf(Date.now()));

    expect(await entry(idle.token)).toBeUndefined();
    // Unknown ledgers are read (nothing is lost), and write their entry when asked.
    await callJson('/spend/logs?summarize=false&limit=5');
    expect(await eventually(() => entry(idle.token), (d) => d !== undefined)).toBe(-1);
  });

  it('reads with a start call only the ledgers active since; a read without one walks back to old rows', async () => {
    const { group } = await simDeployment();
    const recent = await newKey();
    const old = await newKey();
    const r = await call('/v1/embeddings', { method: 'POST', key: recent.key, json: { model: group, input: 'x' } });
    const recentId = r.headers.get('x-litellm-call-id')!;
    await settledRows(recent.token, 1);
    const forty = Date.now() - 40 * DAY;
    const oldId = await bookAt(old.token, group, forty);
    expect(await eventually(() => entry(old.token), (d) => d === dayOf(forty))).toBe(dayOf(forty));

    // A range around the old row finds it; today's range finds the recent one and not the old.
    const then = await callJson<SpendRow[]>(`/spend/logs?start_date=${isoDay(forty)}&end_date=${isoDay(forty)}&summarize=false&limit=1000`);
    expect(then.body.map((x) => x.request_id)).toContain(oldId);
    const today = await callJson<SpendRow[]>(`/spend/logs?start_date=${isoDay(Date.now())}&summarize=false&limit=1000`);
    const ids = today.body.map((x) => x.request_id);
    expect(ids).toContain(recentId);
    expect(ids).not.toContain(oldId);

    // No start: newest first, day by day, until nothing older can be left (the old row is the only one that old).
    const before = await callJson<SpendRow[]>(`/spend/logs?end_date=${isoDay(forty + 2 * DAY)}&summarize=false&limit=5`);
    expect(before.body.map((x) => x.request_id)).toContain(oldId);

    // A gateway call id carries its time: looked up across keys by id alone.
    const byId = await callJson<SpendRow[]>(`/spend/logs?request_id=${recentId}`);
    expect(byId.body.map((x) => x.request_id)).toEqual([recentId]);

    // The per-day summary over the old day sums the old row.
    const summary = await callJson<{ startTime: string; spend: number }[]>(
      `/spend/logs?start_date=${isoDay(forty)}&end_date=${isoDay(forty)}`,
    );
    expect(summary.body.find((d) => d.startTime.startsWith(isoDay(forty)))?.spend).toBeGreaterThan(0);
  });

  it('a ledger whose entry says it has been idle since before the range is not asked at all', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const r = await call('/v1/embeddings', { method: 'POST', key: k.key, json: { model: group, input: 'x' } });
    const id = r.headers.get('x-litellm-call-id')!;
    await settledRows(k.token, 1);
    await eventually(() => entry(k.token), (d) => d !== undefined);
    // Make the index say the key was last used 30 days ago: a reader of today's rows must then skip its ledger.
    await env.GATEWAY_KV.put(`active:${k.token}`, '', { metadata: { d: dayOf(Date.now() - 30 * DAY) } });
    await eventually(() => entry(k.token), (d) => d === dayOf(Date.now() - 30 * DAY));
    const today = await callJson<SpendRow[]>(`/spend/logs?start_date=${isoDay(Date.now())}&summarize=false&limit=1000`);
    expect(today.body.map((x) => x.request_id)).not.toContain(id);
    // Asked by key, its ledger is read directly.
    const own = await callJson<SpendRow[]>(`/spend/logs?api_key=${k.token}`);
    expect(own.body.map((x) => x.request_id)).toContain(id);
  });
});

describe('ledger selection', () => {
  const refs = ['master', 'a', 'b', 'c', 'd', 'e'].map((name) => ({ name, user: '' }));
  const activity = new Map([
    ['a', 100],
    ['b', 98],
    ['c', 98],
    ['d', -1],
  ]);

  it('since a time: the master, ledgers without entry, and those active from the day before on', () => {
    expect(activeSince(refs, activity, 99 * DAY + 5).map((l) => l.name)).toEqual(['master', 'a', 'b', 'c', 'e']);
    expect(activeSince(refs, activity, 101 * DAY).map((l) => l.name)).toEqual(['master', 'a', 'e']);
  });

  it('newest first: one group per day, the master and entry-less ledgers first, ledgers without rows never', () => {
    expect(newestFirst(refs, activity).map((g) => [g.day, g.ledgers.map((l) => l.name)])).toEqual([
      [100, ['master', 'e', 'a']],
      [98, ['b', 'c']],
    ]);
  });

  it('reads the time out of a gateway call id and nothing out of other ids', () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0, 123);
    const hex = t.toString(16).padStart(12, '0');
    expect(callIdTime(`${hex.slice(0, 8)}-${hex.slice(8)}-7abc-8def-0123456789ab`)).toBe(t);
    expect(callIdTime('batch-abc-1-1')).toBeUndefined();
  });
});
