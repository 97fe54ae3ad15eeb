import type { Bindings } from '../env';
import { invalidRequest } from '../http/errors';
import { ledger } from './ledger-client';
import { listIndex, type IndexEntry } from './kv-index';
import type { KeyView } from './key-record';

/** LiteLLM's `sort_by` columns; spend, max_budget and updated_at live in each key's ledger, the rest in the index. */
export const KEY_SORT_FIELDS = ['spend', 'max_budget', 'created_at', 'updated_at', 'token', 'key_alias'] as const;
export type KeySortField = (typeof KEY_SORT_FIELDS)[number];

export interface ListKeysOptions {
  page: number;
  size: number;
  key_alias?: string | undefined;
  team_id?: string | undefined;
  user_id?: string | undefined;
  key_hash?: string | undefined;
  return_full_object: boolean;
  sort_by?: KeySortField | undefined;
  sort_order?: 'asc' | 'desc' | undefined;
}

export interface KeyListPage {
  /** Key hashes, or full key objects with `return_full_object=true` (never a plaintext key). */
  keys: (string | KeyView)[];
  total_count: number;
  current_page: number;
  total_pages: number;
}

type SortValue = string | number | null;

const INDEXED: Partial<Record<KeySortField, (e: IndexEntry) => SortValue>> = {
  created_at: (e) => e.created,
  token: (e) => e.token,
  key_alias: (e) => e.key_alias,
};

const FROM_VIEW: Partial<Record<KeySortField, (v: KeyView) => SortValue>> = {
  spend: (v) => v.spend,
  max_budget: (v) => v.max_budget,
  updated_at: (v) => v.updated_at,
};

/** Keys whose ledgers a `sort_by` on a ledger field may read, and how many at once. */
const MAX_LEDGER_SORT = 500;
const LEDGER_READS_AT_ONCE = 50;

/** Ascending, with keys lacking the value (no alias, no budget) last whatever the order; ties by hash. */
function compare(a: SortValue, b: SortValue, order: 'asc' | 'desc'): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = a < b ? -1 : 1;
  return order === 'asc' ? c : -c;
}

/**
 * `GET /key/list`: filtered by alias, team, user or hash from the KV index; newest first unless `sort_by` says
 * otherwise. Sorting by a ledger field (spend, max_budget, updated_at) reads every matching key's ledger.
 */
export async function listKeys(env: Bindings, q: ListKeysOptions): Promise<KeyListPage> {
  const entries = (await listIndex(env)).filter(
    (e) =>
      (q.key_alias === undefined || e.key_alias === q.key_alias) &&
      (q.team_id === undefined || e.team_id === q.team_id) &&
      (q.user_id === undefined || e.user_id === q.user_id) &&
      (q.key_hash === undefined || e.token === q.key_hash),
  );
  const byView = q.sort_by ? FROM_VIEW[q.sort_by] : undefined;
  let views: Map<string, KeyView> | undefined;
  if (byView) {
    if (entries.length > MAX_LEDGER_SORT) {
      throw invalidRequest(
        `sort_by=${q.sort_by} reads each key's ledger and is limited to ${MAX_LEDGER_SORT} keys (${entries.length} match); narrow the list with key_alias, team_id or user_id`,
        'sort_by',
      );
    }
    views = new Map();
    // A few ledgers at a time: one Durable Object call per key, within a request's subrequest limit.
    for (let i = 0; i < entries.length; i += LEDGER_READS_AT_ONCE) {
      const some = await Promise.all(entries.slice(i, i + LEDGER_READS_AT_ONCE).map((e) => ledger(env, e.token).view()));
      for (const v of some) if (v) views.set(v.token, v);
    }
  }
  // Every mode lists the same keys (the index's); a key whose ledger shows nothing sorts last.
  const byIndex = q.sort_by ? INDEXED[q.sort_by] : undefined;
  const value = (e: IndexEntry): SortValue => {
    if (!byView) return byIndex ? byIndex(e) : e.created;
    const view = views!.get(e.token);
    return view ? byView(view) : null;
  };
  const order = q.sort_by ? (q.sort_order ?? 'desc') : 'desc';
  entries.sort((a, b) => compare(value(a), value(b), order) || a.token.localeCompare(b.token));

  const page = entries.slice((q.page - 1) * q.size, q.page * q.size);
  let keys: (string | KeyView)[] = page.map((e) => e.token);
  if (q.return_full_object) {
    const shown = await Promise.all(page.map((e) => views?.get(e.token) ?? ledger(env, e.token).view()));
    keys = shown.filter((v): v is KeyView => v !== null);
  }
  return {
    keys,
    total_count: entries.length,
    current_page: q.page,
    total_pages: Math.ceil(entries.length / q.size),
  };
}
