/** Every key under `prefix` with its metadata, page after page (KV lists at most 1,000 names per call). */
export async function listAll<M>(kv: KVNamespace, prefix: string): Promise<KVNamespaceListKey<M>[]> {
  const out: KVNamespaceListKey<M>[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<M>({ prefix, ...(cursor ? { cursor } : {}) });
    out.push(...page.keys);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}
