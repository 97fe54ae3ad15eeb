import type { Bindings } from '../env';
import { GatewayError } from '../http/errors';
import { digestOf } from './hash';

/**
 * The MASTER_KEY secret. Without it every route stays closed: there is no default key, so a forgotten secret can
 * never leave a deployed gateway open.
 */
export function masterKeyOf(env: Bindings): string {
  const key = env.MASTER_KEY;
  if (!key) {
    throw new GatewayError(
      'not_configured',
      'The gateway has no MASTER_KEY secret; set one with `wrangler secret put MASTER_KEY` (locally: .dev.vars)',
    );
  }
  return key;
}

/** The master key's digest (see masterKeyOf). */
export function masterDigest(env: Bindings): Promise<Uint8Array> {
  return digestOf(masterKeyOf(env));
}

/**
 * Whether a key someone chose (a virtual key, a deployment's upstream key, as written or resolved) is the master key
 * itself, with or without a `Bearer ` prefix. Plain comparison: only master-key callers choose such values.
 */
export function isMasterKeyValue(value: string, env: Bindings): boolean {
  const master = env.MASTER_KEY;
  return !!master && value.trim().replace(/^bearer\s+/i, '') === master;
}
