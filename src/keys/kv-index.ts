import type { Bindings } from '../env';
import type { KeyRecord } from './key-record';
import { deleteActivity } from './ledger-activity';
import { listAll } from './kv-list';

/**
 * The KV index of keys: fast to list and filter, eventually consistent (a change reaches other locations within
 * ~60 s). It is never the authority on whether a key works: that is the key's ledger Durable Object.
 *   key:<sha256>              → "" with metadata {n: key_name, a: alias, u: user_id, t: team_id, c: created ms}
 *   alias:<uri-encoded alias> → <sha256>
 */
export interface IndexEntry {
  token: string;
  key_name: string;
  key_alias: string | null;
  user_id: string | null;
  team_id: string | null;
  created: number;
}

interface Meta {
  n: string;
  a: string | null;
  u: string | null;
  t: string | null;
  c: number;
}

const aliasKey = (alias: string): string => `alias:${encodeURIComponent(alias)}`;

export async function indexKey(env: Bindings, record: KeyRecord, previous?: KeyRecord): Promise<void> {
  const meta: Meta = {
    n: record.key_name,
    a: record.key_alias,
    u: record.user_id,
    t: record.team_id,
    c: Date.parse(record.created_at),
  };
  const writes: Promise<unknown>[] = [env.GATEWAY_KV.put(`key:${record.token}`, '', { metadata: meta })];
  // Deleted only when the alias changed: a regenerated key keeping its alias rewrites it below, and a delete sent
  // alongside that put could land after it and lose the alias.
  if (previous?.key_alias && previous.key_alias !== record.key_alias) {
    writes.push(env.GATEWAY_KV.delete(aliasKey(previous.key_alias)));
  }
  if (previous && previous.token !== record.token) {
    writes.push(env.GATEWAY_KV.delete(`key:${previous.token}`), deleteActivity(env, previous.token));
  }
  if (record.key_alias) writes.push(env.GATEWAY_KV.put(aliasKey(record.key_alias), record.token));
  await Promise.all(writes);
}

export async function unindexKey(env: Bindings, record: KeyRecord): Promise<void> {
  await Promise.all([
    env.GATEWAY_KV.delete(`key:${record.token}`),
    deleteActivity(env, record.token),
    record.key_alias ? env.GATEWAY_KV.delete(aliasKey(record.key_alias)) : Promise.resolve(),
  ]);
}

export function hashForAlias(env: Bindings, alias: string): Promise<string | null> {
  return env.GATEWAY_KV.get(aliasKey(alias));
}

/** Every indexed key. */
export async function listIndex(env: Bindings): Promise<IndexEntry[]> {
  return (await listAll<Meta>(env.GATEWAY_KV, 'key:')).map((k) => {
    const m = k.metadata;
    return {
      token: k.name.slice(4),
      key_name: m?.n ?? '',
      key_alias: m?.a ?? null,
      user_id: m?.u ?? null,
      team_id: m?.t ?? null,
      created: m?.c ?? 0,
    };
  });
}
