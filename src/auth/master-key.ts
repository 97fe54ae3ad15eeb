import type { Bindings } from '../env';
import { GatewayError } from '../http/errors';
import { sha256 } from './hash';

let memo: { key: string; digest: Promise<Uint8Array> } | undefined;

/**
 * The master key's digest, computed once per isolate. Without the MASTER_KEY secret every route stays closed:
 * there is no default key, so a forgotten secret can never leave a deployed gateway open.
 */
export function masterDigest(env: Bindings): Promise<Uint8Array> {
  const key = env.MASTER_KEY;
  if (!key) {
    throw new GatewayError(
      'not_configured',
      'The gateway has no MASTER_KEY secret; set one with `wrangler secret put MASTER_KEY` (locally: .dev.vars)',
    );
  }
  if (memo?.key !== key) memo = { key, digest: sha256(key) };
  return memo.digest;
}
