import type { Caller } from '../auth/caller';
import type { Bindings } from '../env';
import type { KeyView } from '../keys/key-record';
import { liveKey } from '../proxy/accounting';

/** Files and batches made with the master key belong to the operator. */
export const MASTER_OWNER = 'master';

export interface Owner {
  /** The key_id (stable across regenerations), or "master". */
  id: string;
  /** The live key record, for its model allowlist; undefined for the master key. */
  key: KeyView | undefined;
}

/** Who owns what this request touches; a deleted, blocked or expired key is refused here (one ledger read). */
export async function ownerOf(env: Bindings, caller: Caller): Promise<Owner> {
  const key = await liveKey(env, caller);
  return { id: key ? key.key_id : MASTER_OWNER, key };
}
