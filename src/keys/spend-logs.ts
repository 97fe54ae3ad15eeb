import type { Bindings } from '../env';
import { getRoutingTable } from '../deployments/config-cache';
import { listIndex } from './kv-index';
import { ledger } from './ledger-client';
import { dayStart, ledgersSince, NARROW_ABOVE, newestFirst, readActivity, unlisted } from './ledger-activity';
import { callIdTime } from '../http/call-id';
import type { SpendLogQuery, SpendLogRow } from './ledger-types';

/**
 * A spend-log row as `/spend/logs` and the dashboard show it: the stored row with LiteLLM's `call_type` names and
 * LiteLLM's `model` (the deployment's `litellm_params.model`). Both are derived when read; storage keeps its own
 * values (docs/storage.md).
 */
export interface SpendLogEntry extends SpendLogRow {
  /** `hosted_vllm/<served name>` of the deployment as it is configured now; "" if it has been deleted since. */
  model: string;
}

/** LiteLLM's call types (its async entry points, which the proxy uses) for the endpoints the gateway books. */
const LITELLM_CALL_TYPES: Readonly<Record<string, string>> = {
  chat: 'acompletion',
  completion: 'atext_completion',
  embedding: 'aembedding',
  rerank: 'arerank',
  transcription: 'atranscription',
};

export const litellmCallType = (stored: string): string => LITELLM_CALL_TYPES[stored] ?? stored;

/** A ledger to read, with the user_id of its key (LiteLLM's spend-log `user`; "" for the master key or none). */
export interface LedgerRef {
  name: string;
  user: string;
}

/** The master key's ledger and every indexed key's (the KV index: keys created elsewhere may take ~60 s to appear). */
export async function everyLedger(env: Bindings): Promise<LedgerRef[]> {
  const index = await listIndex(env);
  return [{ name: 'master', user: '' }, ...index.map((e) => ({ name: e.token, user: e.user_id ?? '' }))];
}

/** One ledger by name; its user comes from the key's record (none for the master key or a deleted key). */
export async function ledgerRef(env: Bindings, name: string): Promise<LedgerRef> {
  if (name === 'master') return { name, user: '' };
  const view = await ledger(env, name).view();
  return { name, user: view?.user_id ?? '' };
}

export async function presentRows(env: Bindings, rows: readonly SpendLogRow[]): Promise<SpendLogEntry[]> {
  const table = await getRoutingTable(env);
  return rows.map((r) => ({
    ...r,
    call_type: litellmCallType(r.call_type),
    model: (r.model_id !== null && table.byId.get(r.model_id)?.litellm_params.model) || '',
  }));
}

/** The rows of the given ledgers (each key's ledger holds its own), merged newest first. */
export async function readSpendLogs(env: Bindings, ledgers: readonly LedgerRef[], query: SpendLogQuery): Promise<SpendLogEntry[]> {
  const rows = await collectRows(env, ledgers, query);
  rows.sort(newestRowFirst);
  return presentRows(env, rows.slice(0, query.limit));
}

const newestRowFirst = (a: SpendLogRow, b: SpendLogRow): number =>
  b.startTime.localeCompare(a.startTime) || a.request_id.localeCompare(b.request_id);

/**
 * Reads only the ledgers that can hold matching rows (ledger-activity.ts): with a start, those active since; for
 * a gateway call id, those active since it was made; otherwise newest first, a day at a time, until the rows found
 * are newer than anything in the ledgers left unread.
 */
async function collectRows(env: Bindings, ledgers: readonly LedgerRef[], query: SpendLogQuery): Promise<SpendLogRow[]> {
  const since = query.from ?? (query.requestId ? callIdTime(query.requestId) : undefined);
  if (since !== undefined) {
    const narrowed = await ledgersSince(env, ledgers, since);
    return readLedgers(env, narrowed.ledgers, query, narrowed.activity);
  }
  if (ledgers.length <= NARROW_ABOVE || query.requestId) return readLedgers(env, ledgers, query, undefined);
  const activity = await readActivity(env);
  const rows: SpendLogRow[] = [];
  for (const group of newestFirst(ledgers, activity)) {
    rows.push(...(await readLedgers(env, group.ledgers, query, activity)));
    if (rows.length < query.limit) continue;
    rows.sort(newestRowFirst);
    if (Date.parse(rows[query.limit - 1]!.startTime) >= dayStart(group.day)) break;
  }
  return rows;
}

async function readLedgers(
  env: Bindings,
  ledgers: readonly LedgerRef[],
  query: SpendLogQuery,
  activity: ReadonlyMap<string, number> | undefined,
): Promise<SpendLogRow[]> {
  return (await Promise.all(ledgers.map((l) => ledger(env, l.name).logs(query, unlisted(activity, l.name))))).flat();
}

/** Everyone's spend-log rows, newest first (the dashboard's latest requests). */
export async function allSpendLogs(env: Bindings, query: SpendLogQuery): Promise<SpendLogEntry[]> {
  return readSpendLogs(env, await everyLedger(env), query);
}
