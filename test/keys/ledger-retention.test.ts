import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { KeyLedger } from '../../src/keys/key-ledger';
import { LedgerStore } from '../../src/keys/ledger-store';
import type { Settlement } from '../../src/keys/ledger-types';

const row = (i: number): Settlement => ({
  requestId: `retention-${String(i).padStart(4, '0')}`,
  group: 'g',
  deploymentId: null,
  callType: 'chat',
  promptTokens: 1,
  completionTokens: 1,
  totalTokens: 2,
  nanos: 1,
  status: 'success',
  estimated: false,
  startedAt: 1_000_000 + i,
  endedAt: 1_000_001 + i,
});

describe('spend-log retention by size', () => {
  it('a ledger past its row cap drops its oldest rows first, a chunk per pass, and keeps the newest', async () => {
    const stub = env.KEYS.get(env.KEYS.idFromName(`retention-${crypto.randomUUID()}`));
    const left = await runInDurableObject(stub, (_ledger: KeyLedger, state) => {
      const store = new LedgerStore(state.storage.sql);
      store.insertLogs('k', Array.from({ length: 50 }, (_, i) => row(i)));
      store.pruneToRows(45, 3); // over by 5, but 3 at most per pass
      const afterOne = store.logs({ limit: 100 }).map((r) => r.request_id);
      store.pruneToRows(45, 3);
      store.pruneToRows(45, 3); // nothing left to do
      return { afterOne, afterAll: store.logs({ limit: 100 }).map((r) => r.request_id) };
    });
    expect(left.afterOne).toHaveLength(47);
    expect(left.afterAll).toHaveLength(45);
    expect(left.afterAll.at(-1)).toBe('retention-0005'); // newest first: the five oldest are gone
    expect(left.afterAll[0]).toBe('retention-0049');
  });
});
