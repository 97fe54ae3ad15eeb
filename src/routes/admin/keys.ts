import { Hono, type Context } from 'hono';
import type * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate, requireMaster } from '../../auth/middleware';
import { readJsonObject } from '../../http/body';
import { GatewayError, invalidRequest, notFound } from '../../http/errors';
import { validate } from '../../http/validate';
import { listKeys } from '../../keys/key-listing';
import { listKeysQuerySchema } from './key-list-query';
import { ledger } from '../../keys/ledger-client';
import {
  blockKeySchema,
  deleteKeysSchema,
  generateKeySchema,
  regenerateKeySchema,
  updateKeySchema,
} from '../../keys/key-schemas';
import {
  deleteKeys,
  generateKey,
  hashOf,
  regenerateKey,
  setBlocked,
  updateKey,
  viewKey,
} from '../../keys/key-service';

/** Admin request bodies are small; a tight limit keeps junk out. */
const ADMIN_BODY_LIMIT = 256 * 1024;

async function body<S extends z.ZodMiniType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const { value } = await readJsonObject(c.req.raw, ADMIN_BODY_LIMIT);
  return validate(schema, value);
}

/**
 * The `{key}` of `/key/{key}/regenerate`, percent-decoded. A malformed escape (`%ff`) is the client's mistake, not a
 * crash; the segment is a key, so the message names it without echoing it.
 */
function keySegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidRequest('The {key} segment of /key/{key}/regenerate is not valid percent-encoding (UTF-8 after %-decoding)', 'key');
  }
}

/** LiteLLM's key management API. Everything needs the master key except /key/info, where a key may read itself. */
export function keyAdminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/key/info', authenticate, async (c) => {
    const caller = c.get('caller');
    const asked = c.req.query('key');
    if (caller.kind === 'key') {
      // A virtual key may describe itself only; its ledger also confirms it is still valid.
      const own = await ledger(c.env, caller.hash).view();
      if (!own) throw new GatewayError('unauthorized', 'Invalid API key');
      if (asked !== undefined && (await hashOf(asked)) !== caller.hash) {
        throw new GatewayError('forbidden', "A key may only read its own info; use the master key for other keys");
      }
      // LiteLLM's shape, `key` being the hash: a response never carries a plaintext key it did not just create.
      const { token, ...info } = own;
      return c.json({ key: token, info });
    }
    if (asked === undefined) throw new GatewayError('invalid_request', 'Pass ?key= (a key or its hash)', { param: 'key' });
    const { token, ...info } = await viewKey(c.env, await hashOf(asked));
    return c.json({ key: token, info });
  });


  app.post('/key/generate', requireMaster, async (c) => {
    const { plaintext, view } = await generateKey(c.env, await body(c, generateKeySchema));
    return c.json({ ...view, key: plaintext, token_id: view.token });
  });

  app.post('/key/update', requireMaster, async (c) => {
    const { key, ...settings } = await body(c, updateKeySchema);
    const view = await updateKey(c.env, await hashOf(key), settings);
    return c.json({ ...view, key });
  });

  app.post('/key/delete', requireMaster, async (c) => {
    const input = await body(c, deleteKeysSchema);
    const deleted = await deleteKeys(c.env, input.keys ?? [], input.key_aliases ?? []);
    if (deleted === 0) throw notFound('No keys found', 'keys');
    return c.json({ deleted_keys: [...(input.keys ?? []), ...(input.key_aliases ?? [])] });
  });

  const regenerate = async (c: Context<AppEnv>, fromPath?: string): Promise<Response> => {
    const input = await body(c, regenerateKeySchema);
    const key = input.key ?? fromPath;
    if (!key) throw new GatewayError('invalid_request', 'No key passed in', { param: 'key' });
    const { plaintext, view } = await regenerateKey(c.env, await hashOf(key), input);
    return c.json({ ...view, key: plaintext, token_id: view.token });
  };
  app.post('/key/regenerate', requireMaster, (c) => regenerate(c));

  app.post('/key/block', requireMaster, async (c) => {
    const { key } = await body(c, blockKeySchema);
    return c.json(await setBlocked(c.env, await hashOf(key), true));
  });
  app.post('/key/unblock', requireMaster, async (c) => {
    const { key } = await body(c, blockKeySchema);
    return c.json(await setBlocked(c.env, await hashOf(key), false));
  });

  // `/key/{key}/regenerate` as a catch-all after the static /key routes: a `/key/:key/...` parameter next to them
  // would push Hono off its fast RegExpRouter for every request.
  app.post('/key/*', requireMaster, (c) => {
    const match = /^\/key\/([^/]+)\/regenerate$/.exec(new URL(c.req.url).pathname);
    // The path names no route, and its segments may be keys: say which routes exist rather than echo it.
    if (!match) throw notFound('No route for this POST /key/… path (key routes: /key/generate|update|delete|regenerate|block|unblock, /key/{key}/regenerate)');
    return regenerate(c, keySegment(match[1]!));
  });

  app.get('/key/list', requireMaster, async (c) => {
    const query = validate(listKeysQuerySchema, c.req.query());
    return c.json(await listKeys(c.env, query));
  });
  return app;
}
