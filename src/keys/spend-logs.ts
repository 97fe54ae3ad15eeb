import type { Bindings } from '../env';
import { listIndex } from './kv-index';
import { ledger } from './ledger-client';
import type { SpendLogQuery, SpendLogRow } from './ledger-types';

/**
 * Everyone's spend-log rows, newest first: each key's ledger holds its own, so they are read from every ledger
 * (the master key's and each indexed key's) and merged.
 */
export async function allSpendLogs(env: Bindings, query: SpendLogQuery): Promise<SpendLogRow[]> {
  const names = ['master', ...(await listIndex(env)).map((e) => e.token)];
  const rows = (await Promise.all(names.map((n) => ledger(env, n).logs(query)))).flat();
  rows.sort((a, b) => b.startTime.localeCompare(a.startTime) || a.request_id.localeCompare(b.request_id));
  return rows.slice(0, query.limit);
}
