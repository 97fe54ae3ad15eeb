import { call, callJson } from './gateway';

export interface TestKey {
  key: string;
  token: string;
}

export async function newKey(json: Record<string, unknown> = {}): Promise<TestKey> {
  const { status, body } = await callJson<TestKey>('/key/generate', { method: 'POST', json });
  if (status !== 200) throw new Error(`generate failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export type { SpendLogRow as SpendRow } from '../../src/keys/ledger-types';
import type { SpendLogRow as SpendRow } from '../../src/keys/ledger-types';

/** Settlement runs after the response (waitUntil): poll the key's spend log until `count` rows are there. */
export async function settledRows(token: string, count: number, timeoutMs = 5000): Promise<SpendRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await callJson<SpendRow[]>(`/spend/logs?api_key=${token}&limit=1000`);
    if (body.length >= count) return body;
    if (Date.now() > deadline) throw new Error(`only ${body.length} of ${count} spend rows after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function keySpend(key: string): Promise<number> {
  const { body } = await callJson<{ info: { spend: number } }>(`/key/info?key=${key}`);
  return body.info.spend;
}

export const NANO = 1e9;
export const nanos = (dollars: number | string): number => Math.round(Number(dollars) * NANO);

export { call };
