import type { Bindings } from '../env';
import { sha256Hex } from '../auth/hash';
import { isMasterKeyValue } from '../auth/master-key';
import { GatewayError, invalidRequest, notFound } from '../http/errors';
import { addDuration, parseDuration } from './duration';
import { keyName, type KeyRecord, type KeyView } from './key-record';
import type { GenerateKeyInput, KeySettings, RegenerateKeyInput } from './key-schemas';
import { hashForAlias, indexKey, unindexKey } from './kv-index';
import { ledger } from './ledger-client';

/** Admin operations on virtual keys: the key's ledger is written first (the authority), then the KV index. */

/** 24 random bytes, base64url: `sk-` + 32 characters. */
export function newPlaintextKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const b64 = btoa(String.fromCharCode(...bytes));
  return `sk-${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Admin APIs accept a key or its sha256 hex; a plaintext key always starts with "sk-", so the two never clash. */
export async function hashOf(keyOrHash: string): Promise<string> {
  return /^[0-9a-f]{64}$/.test(keyOrHash) ? keyOrHash : sha256Hex(keyOrHash);
}

/**
 * A chosen key must not be the master key: its record would list the master key's hash and accept /key/* calls
 * naming it. The refusal never repeats the key.
 */
function assertNotMaster(env: Bindings, plaintext: string, param: 'key' | 'new_key'): void {
  if (isMasterKeyValue(plaintext, env)) throw invalidRequest('a virtual key cannot be the master key; choose another key', param);
}

function expiresFrom(duration: string | null | undefined, now: number): string | null | undefined {
  if (duration === undefined) return undefined;
  if (duration === null || duration === '-1') return null;
  return new Date(addDuration(now, parseDuration(duration)!)).toISOString();
}

/** The record fields an update or regeneration sets, in the record's own shape. */
function settingsPatch(input: KeySettings, now: number): Partial<KeyRecord> {
  const patch: Partial<KeyRecord> = {};
  const { duration, ...rest } = input;
  for (const [name, value] of Object.entries(rest)) {
    if (value !== undefined) (patch as Record<string, unknown>)[name] = value;
  }
  const expires = expiresFrom(duration, now);
  if (expires !== undefined) patch.expires = expires;
  return patch;
}

async function assertAliasFree(env: Bindings, alias: string | null | undefined, self?: string): Promise<void> {
  if (!alias) return;
  const holder = await hashForAlias(env, alias);
  if (!holder || holder === self) return;
  if (await ledger(env, holder).view()) {
    throw invalidRequest(`Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, 'key_alias');
  }
}

export async function generateKey(env: Bindings, input: GenerateKeyInput): Promise<{ plaintext: string; view: KeyView }> {
  if (input.key !== undefined) assertNotMaster(env, input.key, 'key');
  await assertAliasFree(env, input.key_alias);
  const plaintext = input.key ?? newPlaintextKey();
  const token = await sha256Hex(plaintext);
  const now = Date.now();
  const iso = new Date(now).toISOString();
  const record: KeyRecord = {
    token,
    key_id: crypto.randomUUID(),
    key_name: keyName(plaintext),
    key_alias: input.key_alias ?? null,
    models: input.models ?? [],
    max_budget: input.max_budget ?? null,
    budget_duration: input.budget_duration ?? null,
    tpm_limit: input.tpm_limit ?? null,
    rpm_limit: input.rpm_limit ?? null,
    max_parallel_requests: input.max_parallel_requests ?? null,
    metadata: input.metadata ?? {},
    user_id: input.user_id ?? null,
    team_id: input.team_id ?? null,
    expires: expiresFrom(input.duration, now) ?? null,
    blocked: input.blocked ?? false,
    created_at: iso,
    updated_at: iso,
  };
  const stub = ledger(env, token);
  if (!(await stub.create(record))) throw invalidRequest('This key already exists (or was used before); choose another', 'key');
  await indexKey(env, record);
  return { plaintext, view: (await stub.view())! };
}

export async function viewKey(env: Bindings, hash: string): Promise<KeyView> {
  const stub = ledger(env, hash);
  // A key whose regeneration stopped half-way (still pending) finishes it when it is looked up.
  const view = (await stub.view()) ?? ((await stub.takeOver()) === 'adopted' ? await stub.view() : null);
  if (!view) throw notFound('Key not found', 'key');
  return view;
}

export async function updateKey(env: Bindings, hash: string, input: KeySettings): Promise<KeyView> {
  const before = await viewKey(env, hash);
  if (input.key_alias !== undefined) await assertAliasFree(env, input.key_alias, hash);
  const view = await ledger(env, hash).update(settingsPatch(input, Date.now()));
  if (!view) throw notFound('Key not found', 'key');
  await indexKey(env, view, before);
  return view;
}

export async function setBlocked(env: Bindings, hash: string, blocked: boolean): Promise<KeyView> {
  return updateKey(env, hash, { blocked });
}

/** Deletes by key (or hash) and by alias; returns how many keys were actually deleted. */
export async function deleteKeys(env: Bindings, keys: string[], aliases: string[]): Promise<number> {
  const hashes = await Promise.all(keys.map(hashOf));
  for (const alias of aliases) {
    const hash = await hashForAlias(env, alias);
    if (hash) hashes.push(hash);
  }
  let deleted = 0;
  for (const hash of new Set(hashes)) {
    const record = await ledger(env, hash).retire('deleted');
    if (!record) continue;
    deleted++;
    await unindexKey(env, record);
  }
  return deleted;
}

/**
 * A new key replaces the old one: it takes over the record, spend, budget and rate windows, and the reservations of
 * requests still in flight; the old key is refused from its next request on, and the settlements of its requests
 * still in flight are forwarded to the new key. The new ledger is prepared (not yet usable, and nobody holds the
 * key yet) and then takes over from the old one, which hands over in one step, so no admission or settlement falls
 * between the two (ledger-handover.ts). A regeneration that stopped half-way is finished by its retry.
 */
export async function regenerateKey(
  env: Bindings,
  hash: string,
  input: RegenerateKeyInput,
): Promise<{ plaintext: string; view: KeyView }> {
  const { key: _key, new_key, ...settings } = input;
  if (new_key !== undefined) assertNotMaster(env, new_key, 'new_key');
  const plaintext = new_key ?? newPlaintextKey();
  const token = await sha256Hex(plaintext);
  const fresh = ledger(env, token);
  const from = await regenerable(env, hash, token);
  if (from === 'finished') return { plaintext, view: (await fresh.view())! };
  if (!from) throw notFound('Key not found', 'key');
  if (settings.key_alias !== undefined) await assertAliasFree(env, settings.key_alias, from.hash);
  const now = Date.now();
  const changes: Partial<KeyRecord> = {
    ...settingsPatch(settings, now),
    token,
    key_name: keyName(plaintext),
    updated_at: new Date(now).toISOString(),
  };
  if (!(await fresh.prepare({ ...from.record, ...changes }, { predecessor: from.hash, changes }))) {
    throw invalidRequest('new_key already exists or was used before', 'new_key');
  }
  // Idempotent, so a call whose answer was lost is simply made again.
  if ((await twice(() => fresh.takeOver())) === 'refused') {
    throw new GatewayError('conflict', 'The key changed while it was being regenerated; try again');
  }
  return { plaintext, view: (await fresh.view())! };
}

/**
 * The live key to regenerate: `hash` itself, or, when a regeneration of it stopped half-way (handed over, its new
 * key still pending), that new key once this call has finished the hand-over. `finished` when the stopped
 * regeneration was to this very key (a retry with the same `new_key`): finishing it is all there is to do.
 */
async function regenerable(
  env: Bindings,
  hash: string,
  token: string,
): Promise<{ hash: string; record: KeyRecord } | 'finished' | null> {
  const old = ledger(env, hash);
  const snapshot = await old.snapshot();
  if (snapshot) return { hash, record: snapshot.record };
  const next = await old.successor();
  if (!next) return null;
  const outcome = await ledger(env, next).takeOver(hash);
  if (next === token) return outcome === 'refused' ? null : 'finished';
  if (outcome !== 'adopted') return null;
  const resumed = await ledger(env, next).snapshot();
  return resumed && { hash: next, record: resumed.record };
}

async function twice<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    return call();
  }
}
