import { admin } from './gateway';

/** One row of `GET /spend/logs` (LiteLLM's SpendLogs shape), as the gateway defines it. */
export type { SpendLogRow as SpendRow } from '../../../src/keys/ledger-types';
import type { SpendLogRow as SpendRow } from '../../../src/keys/ledger-types';

/** Settlement runs after the response (waitUntil): polls the key's spend log until it holds `count` rows. */
export async function settledRows(key: string, count: number, timeoutMs = 5000): Promise<SpendRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await admin<SpendRow[]>(`/spend/logs?api_key=${encodeURIComponent(key)}&limit=1000`);
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} spend rows after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function keySpend(key: string): Promise<number> {
  const { info } = await admin<{ info: { spend: number } }>(`/key/info?key=${encodeURIComponent(key)}`);
  return info.spend;
}
