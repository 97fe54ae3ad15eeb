import type { Bindings } from '../env';
import type { KeyLedger } from './key-ledger';

type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

/** The ledger's RPC surface, derived from the class itself. */
export type LedgerRpc = Async<
  Pick<KeyLedger, | 'create'
    | 'admit'
    | 'settleMany'
    | 'view'
    | 'update'
    | 'snapshot'
    | 'retire'
    | 'prepare'
    | 'successor'
    | 'handOver'
    | 'takeOver'
    | 'logs'
    | 'usage'
  >
>;

/**
 * The ledger of one key (named by its sha256, or "master" for master-key traffic). Typed from the class directly:
 * the generated RPC stub types recurse without end through the JSON-typed key metadata.
 */
export function ledger(env: Bindings, name: string): LedgerRpc {
  let id = ids.get(name);
  if (!id) {
    if (ids.size >= 10_000) ids.clear();
    id = env.KEYS.idFromName(name);
    ids.set(name, id);
  }
  return env.KEYS.get(id) as unknown as LedgerRpc;
}

/** Object ids are plain values (unlike stubs, which belong to one request), so they are kept per isolate. */
const ids = new Map<string, DurableObjectId>();
