import type { MiddlewareHandler } from 'hono';
import type { Caller } from './caller';
import type { AppEnv, Bindings } from '../env';
import { unauthorized } from '../http/errors';
import { presentedKey } from './credentials';
import { digestOf, digestsEqual, knownDigest, toHex } from './hash';
import { masterDigest, masterKeyOf } from './master-key';

const MISSING =
  'No API key provided: pass it as "Authorization: Bearer sk-..." (or the x-litellm-api-key, x-api-key or api-key header)';

/**
 * Identifies the caller without any storage round trip: the master key by digest comparison, anything else shaped
 * like a key by its sha256. Whether a virtual key is valid is answered by its ledger when the request is admitted.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('caller', await callerOf(c.env, c.req.raw.headers));
  await next();
};

/** What `authenticate` does, for a handler that identifies its caller itself (the JSON inference routes). */
export async function callerOf(env: Bindings, headers: Headers): Promise<Caller> {
  const masterKey = masterKeyOf(env);
  const key = presentedKey(headers);
  if (!key) throw unauthorized(MISSING);
  // Both digests are cached per isolate after their first use: awaiting only on a miss saves two promise turns.
  const master = knownDigest(masterKey) ?? (await digestOf(masterKey));
  const digest = knownDigest(key) ?? (await digestOf(key));
  if (digestsEqual(digest, master)) return { kind: 'master' };
  if (key.startsWith('sk-')) return { kind: 'key', hash: toHex(digest) };
  throw unauthorized('Invalid API key: gateway keys start with "sk-"');
}

/** Admin routes: the master key only. */
export const requireMaster: MiddlewareHandler<AppEnv> = async (c, next) => {
  const master = await masterDigest(c.env);
  const key = presentedKey(c.req.raw.headers);
  if (!key) throw unauthorized(MISSING);
  if (!digestsEqual(await digestOf(key), master)) throw unauthorized('This route requires the master key');
  c.set('caller', { kind: 'master' });
  await next();
};
