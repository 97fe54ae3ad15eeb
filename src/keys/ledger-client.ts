import type { Bindings } from '../env';
import type { KeyLedger } from './key-ledger';

type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

/** The ledger's RPC surface, derived from the class itself. */
export type LedgerRpc = Async<
  Pick<KeyLedger, 'create' | 'admit' | 'settle' | 'view' | 'update' | 'snapshot' | 'retire' | 'adopt' | 'logs'>
>;

/**
 * The ledger of one key (named by its sha256, or "master" for master-key traffic). Typed from the class directly:
 * the generated RPC stub types recurse without end through the JSON-typed key metadata.
 */
export function ledger(env: Bindings, name: string): LedgerRpc {
  return env.KEYS.get(env.KEYS.idFromName(name)) as unknown as LedgerRpc;
}
