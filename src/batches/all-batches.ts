import type { Bindings } from '../env';
import { BATCH_INDEX_PREFIX } from '../files/r2-layout';
import { runnerStub } from './stubs';

export interface BatchRow {
  owner: string;
  /** Who created it, as people know the key (alias or sk-...abcd). */
  label: string;
  batch: Record<string, unknown>;
}

interface Entry {
  owner: string;
  internal: string;
  label: string;
}

/**
 * The newest `limit` batches of every owner, for the operator's dashboard (its batches page polls this while one
 * runs). Read from the global index, one R2 list of `limit` names (internal ids sort newest first); only while it
 * holds fewer — batches created before the index, on a gateway with few batches — every owner's entries are listed.
 */
export async function allBatches(env: Bindings, limit: number): Promise<BatchRow[]> {
  const page = await env.FILES.list({ prefix: BATCH_INDEX_PREFIX, include: ['customMetadata'], limit });
  let entries: Entry[] = page.objects.map((o) => ({
    internal: o.key.slice(BATCH_INDEX_PREFIX.length),
    owner: o.customMetadata?.owner ?? '',
    label: o.customMetadata?.label ?? '',
  }));
  if (entries.length < limit) entries = await everyOwnersBatches(env);
  const shown = entries.slice(0, limit);
  const batches = await Promise.all(shown.map((e) => runnerStub(env, e.internal).describe(e.owner)));
  return shown.flatMap((e, i) => (batches[i] ? [{ owner: e.owner, label: e.label, batch: batches[i]! }] : []));
}

async function everyOwnersBatches(env: Bindings): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix: 'batchmeta/', include: ['customMetadata'], ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) {
      const [, owner = '', internal = ''] = o.key.split('/');
      entries.push({ owner, internal, label: o.customMetadata?.label ?? owner });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return entries.sort((a, b) => a.internal.localeCompare(b.internal));
}
