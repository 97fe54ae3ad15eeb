import type { Bindings } from '../env';
import { runnerStub } from './stubs';

export interface BatchRow {
  owner: string;
  /** Who created it, as people know the key (alias or sk-...abcd). */
  label: string;
  batch: Record<string, unknown>;
}

/** Every batch of every owner, newest first (internal ids sort that way), for the operator's dashboard. */
export async function allBatches(env: Bindings, limit: number): Promise<BatchRow[]> {
  const entries: { owner: string; internal: string; label: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix: 'batchmeta/', include: ['customMetadata'], ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) {
      const [, owner = '', internal = ''] = o.key.split('/');
      entries.push({ owner, internal, label: o.customMetadata?.label ?? owner });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  entries.sort((a, b) => a.internal.localeCompare(b.internal));
  const shown = entries.slice(0, limit);
  const batches = await Promise.all(shown.map((e) => runnerStub(env, e.internal).describe(e.owner)));
  return shown.flatMap((e, i) => (batches[i] ? [{ owner: e.owner, label: e.label, batch: batches[i]! }] : []));
}
