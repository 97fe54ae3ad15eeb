import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { beginCall } from '../../http/request-context';
import { identifyCaller } from '../../auth/middleware';
import { httpCallContext } from '../../proxy/call-context';
import { runInference } from '../../proxy/inference';
import { jsonInference, type JsonRoute } from '../../proxy/json-inference';

/**
 * The handler shared by every JSON inference route: authenticate, read the body, then the common request path.
 * Authentication is called here rather than as route middleware: a route with one handler skips Hono's compose.
 */
export function jsonProxy(route: JsonRoute) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const start = beginCall(c);
    const caller = await identifyCaller(c);
    const raw = await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
    return runInference(httpCallContext(c, start, caller), jsonInference(route, raw));
  };
}
