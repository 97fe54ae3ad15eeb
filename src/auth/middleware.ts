import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
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
  const masterKey = masterKeyOf(c.env);
  const key = presentedKey(c.req.raw.headers);
  if (!key) throw unauthorized(MISSING);
  // Both digests are cached per isolate after their first use: awaiting only on a miss saves two promise turns.
  const master = knownDigest(masterKey) ?? (await digestOf(masterKey));
  const digest = knownDigest(key) ?? (await digestOf(key));
  if (digestsEqual(digest, master)) c.set('caller', { kind: 'master' });
  else if (key.startsWith('sk-')) c.set('caller', { kind: 'key', hash: toHex(digest) });
  else throw unauthorized('Invalid API key: gateway keys start with "sk-"');
  await next();
};

/** Admin routes: the master key only. */
export const requireMaster: MiddlewareHandler<AppEnv> = async (c, next) => {
  const master = await masterDigest(c.env);
  const key = presentedKey(c.req.raw.headers);
  if (!key) throw unauthorized(MISSING);
  if (!digestsEqual(await digestOf(key), master)) throw unauthorized('This route requires the master key');
  c.set('caller', { kind: 'master' });
  await next();
};
