import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { KeyLedger } from '../../src/keys/key-ledger';
import { LedgerStore } from '../../src/keys/ledger-store';
import type { Settlement, UsageBucket } from '../../src/keys/ledger-types';
import { fromNanos } from '../../src/accounting/money';

const HOUR = 3_600_000;
const base = 1_700_000_000_000 - (1_700_000_000_000 % (2 * HOUR));

const booking = (id: string, group: string, startedAt: number, nanos: number): Settlement => ({
  requestId: id, group, deploymentId: null, callType: 'chat', promptTokens: 1, completionTokens: 1, totalTokens: 2,
  nanos, status: 'success', estimated: false, startedAt, endedAt: startedAt + 5,
});

describe('hourly spend roll-up', () => {
  it('answers charts and summaries like the rows it sums, repeats counted once, and fills itself for older ledgers', async () => {
    const stub = env.KEYS.get(env.KEYS.idFromName(`rollup-${crypto.randomUUID()}`));
    const out = await runInDurableObject(stub, (_l: KeyLedger, state) => {
      const store = new LedgerStore(state.storage.sql);
      store.insertLogs('k', [
        booking('a', 'g1', base + 10, 1_000),
        booking('b', 'g1', base + HOUR - 1, 2_000),
        booking('c', 'g2', base + HOUR + 5, 4_000),
      ]);
      // A settlement sent again (the outbox retries) is not counted twice.
      store.insertLogs('k', [booking('b', 'g1', base + HOUR - 1, 2_000), booking('d', 'g1', base + 2 * HOUR, 8_000)]);
      const hourly = store.usage(base, HOUR);
      const twoHours = store.usage(base, 2 * HOUR);
      // A ledger from before the roll-up: its table is rebuilt from the spend log when the object starts.
      state.storage.sql.exec('DROP TABLE spend_hourly');
      const again = new LedgerStore(state.storage.sql).usage(base, HOUR);
      return { hourly, twoHours, again };
    });
    const sorted = (b: UsageBucket[]): UsageBucket[] => [...b].sort((x, y) => x.t - y.t || x.model_group.localeCompare(y.model_group));
    expect(sorted(out.hourly)).toEqual([
      { t: base, model_group: 'g1', spend: fromNanos(3_000), requests: 2 },
      { t: base + HOUR, model_group: 'g2', spend: fromNanos(4_000), requests: 1 },
      { t: base + 2 * HOUR, model_group: 'g1', spend: fromNanos(8_000), requests: 1 },
    ]);
    expect(sorted(out.twoHours)).toEqual([
      { t: base, model_group: 'g1', spend: fromNanos(3_000), requests: 2 },
      { t: base, model_group: 'g2', spend: fromNanos(4_000), requests: 1 },
      { t: base + 2 * HOUR, model_group: 'g1', spend: fromNanos(8_000), requests: 1 },
    ]);
    expect(sorted(out.again)).toEqual(sorted(out.hourly));
  });
});
