import type { Bindings } from '../env';
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
    const all = await Promise.all(entries.map((e) => ledger(env, e.token).view()));
    views = new Map(all.filter((v): v is KeyView => v !== null).map((v) => [v.token, v]));
  }
  const matching = views ? entries.filter((e) => views.has(e.token)) : entries;
  const byIndex = q.sort_by ? INDEXED[q.sort_by] : undefined;
  const value = (e: IndexEntry): SortValue =>
    byView ? byView(views!.get(e.token)!) : byIndex ? byIndex(e) : e.created;
  const order = q.sort_by ? (q.sort_order ?? 'desc') : 'desc';
  matching.sort((a, b) => compare(value(a), value(b), order) || a.token.localeCompare(b.token));

  const page = matching.slice((q.page - 1) * q.size, q.page * q.size);
  let keys: (string | KeyView)[] = page.map((e) => e.token);
  if (q.return_full_object) {
    const shown = await Promise.all(page.map((e) => views?.get(e.token) ?? ledger(env, e.token).view()));
    keys = shown.filter((v): v is KeyView => v !== null);
  }
  return {
    keys,
    total_count: matching.length,
    current_page: q.page,
    total_pages: Math.ceil(matching.length / q.size),
  };
}
