import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { KeyLedger } from '../../src/keys/key-ledger';
import { LedgerStore } from '../../src/keys/ledger-store';
import type { Settlement } from '../../src/keys/ledger-types';
import { toPayload } from '../../src/keys/settlement-wire';

const base: Settlement = {
  requestId: '',
  group: 'g',
  deploymentId: 'd1',
  callType: 'chat',
  promptTokens: 3,
  completionTokens: 4,
  totalTokens: 7,
  nanos: 100,
  status: 'success',
  estimated: false,
  startedAt: 5_000_000,
  endedAt: 5_000_010,
};

const at = (requestId: string, i: number, extra: Partial<Settlement> = {}): Settlement => ({
  ...base,
  requestId,
  startedAt: base.startedAt + i,
  endedAt: base.endedAt + i,
  promptTokens: i,
  totalTokens: i + 4,
  nanos: 100 + i,
  ...extra,
});

describe('spend-log insert', () => {
  it('a batch mixing groups, deployments, statuses and estimates keeps every field of every row', async () => {
    const stub = env.KEYS.get(env.KEYS.idFromName(`insert-${crypto.randomUUID()}`));
    const batch = [
      at('a', 1),
      at('b', 2, { group: 'other', deploymentId: null }),
      at('c', 3, { status: 'failure', estimated: true, callType: 'embedding' }),
      at('d', 4),
      // A repeat of 'b' shaped like 'a', whose run is written first: still the first occurrence is booked.
      at('b', 5),
      at('e', 6, { group: 'g\u00e9 "quoted"', deploymentId: 'd2' }),
    ];
    const out = await runInDurableObject(stub, (_ledger: KeyLedger, state) => {
      const store = new LedgerStore(state.storage.sql);
      const fresh = store.insertLogs('key-hash', batch).map((s) => s.requestId);
      // A second delivery of the same batch (settlement is retried) books nothing.
      const again = store.insertLogs('key-hash', batch).length;
      return { fresh, again, rows: store.logs({ limit: 10 }) };
    });
    expect(out.fresh).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(out.again).toBe(0);
    const byId = new Map(out.rows.map((r) => [r.request_id, r]));
    expect(byId.size).toBe(5);
    expect(byId.get('b')).toMatchObject({ model_group: 'other', model_id: null, status: 'success', prompt_tokens: 2 });
    expect(byId.get('c')).toMatchObject({
      call_type: 'embedding',
      status: 'failure',
      usage_estimated: true,
      model_group: 'g',
      model_id: 'd1',
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
      api_key: 'key-hash',
      startTime: new Date(5_000_003).toISOString(),
      endTime: new Date(5_000_013).toISOString(),
    });
    expect(byId.get('e')).toMatchObject({ model_group: 'g\u00e9 "quoted"', model_id: 'd2', spend: 106 / 1e9 });
    expect(byId.get('a')).toMatchObject({ status: 'success', usage_estimated: false, call_type: 'chat' });
  });

  it('a batch that fails part way books none of its rows, so sending it again charges them all', async () => {
    const stub = env.KEYS.get(env.KEYS.idFromName(`insert-${crypto.randomUUID()}`));
    const out = await runInDurableObject(stub, (ledger: KeyLedger, state) => {
      // A second run that cannot be written (a value JSON cannot carry): it throws after the first run's statement.
      const broken = at('y', 2, { group: 'other', startedAt: 1n as unknown as number });
      let failed = false;
      try {
        ledger.settleMany({ apiKey: 'key-hash', items: [at('x', 1), broken] });
      } catch {
        failed = true;
      }
      const store = new LedgerStore(state.storage.sql);
      const afterFailure = store.logs({ limit: 10 }).map((r) => r.request_id);
      ledger.settleMany({ apiKey: 'key-hash', items: [at('x', 1)] });
      return { failed, afterFailure, afterResend: store.logs({ limit: 10 }).map((r) => r.request_id) };
    });
    expect(out.failed).toBe(true);
    expect(out.afterFailure).toEqual([]);
    expect(out.afterResend).toEqual(['x']);
  });

  it('settlements sent as rows (the outbox wire format) are booked exactly as the same settlements sent as objects', async () => {
    const batch = [
      at('a', 1),
      at('b', 2, { group: 'other', deploymentId: null, status: 'failure', estimated: true, callType: 'embedding' }),
      // Handed back unsent: frees its reservation, books nothing.
      at('c', 3, { releaseOnly: true }),
      at('d', 4, { group: 'g\u00e9 "quoted"', nanos: 0 }),
    ];
    const logsOf = async (send: (stub: DurableObjectStub<KeyLedger>) => Promise<void>) => {
      const stub = env.KEYS.get(env.KEYS.idFromName(`insert-${crypto.randomUUID()}`));
      await send(stub);
      return runInDurableObject(stub, (_ledger: KeyLedger, state) =>
        new LedgerStore(state.storage.sql).logs({ limit: 10 }).map(({ api_key: _, ...row }) => row),
      );
    };
    const asRows = await logsOf((stub) => stub.settleMany(toPayload('rows-key', batch)));
    const asObjects = await logsOf((stub) => stub.settleMany({ apiKey: 'objects-key', items: batch }));
    expect(asRows.map((r) => r.request_id).sort()).toEqual(['a', 'b', 'd']);
    expect(asRows).toEqual(asObjects);
    expect(asRows.find((r) => r.request_id === 'b')).toMatchObject({
      model_group: 'other',
      model_id: null,
      status: 'failure',
      usage_estimated: true,
      call_type: 'embedding',
      prompt_tokens: 2,
      total_tokens: 6,
      spend: 102 / 1e9,
    });
  });
});
