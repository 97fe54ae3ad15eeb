import type * as z from '../http/zod';
import type { Bindings } from '../env';
import type { listKeysQuerySchema } from './key-schemas';
import { ledger } from './ledger-client';
import { listIndex } from './kv-index';
import type { KeyView } from './key-record';

type ListQuery = z.infer<typeof listKeysQuerySchema>;

export interface KeyListPage {
  /** Key hashes, or full key objects with `return_full_object=true` (never a plaintext key). */
  keys: (string | KeyView)[];
  total_count: number;
  current_page: number;
  total_pages: number;
}

/** `GET /key/list`: newest first, filtered by alias, team, user or hash, from the KV index. */
export async function listKeys(env: Bindings, q: ListQuery): Promise<KeyListPage> {
  const entries = (await listIndex(env))
    .filter(
      (e) =>
        (q.key_alias === undefined || e.key_alias === q.key_alias) &&
        (q.team_id === undefined || e.team_id === q.team_id) &&
        (q.user_id === undefined || e.user_id === q.user_id) &&
        (q.key_hash === undefined || e.token === q.key_hash),
    )
    .sort((a, b) => b.created - a.created || a.token.localeCompare(b.token));
  const page = entries.slice((q.page - 1) * q.size, q.page * q.size);
  const keys =
    q.return_full_object === 'true'
      ? (await Promise.all(page.map((e) => ledger(env, e.token).view()))).filter((v): v is KeyView => v !== null)
      : page.map((e) => e.token);
  return {
    keys,
    total_count: entries.length,
    current_page: q.page,
    total_pages: Math.ceil(entries.length / q.size),
  };
}
