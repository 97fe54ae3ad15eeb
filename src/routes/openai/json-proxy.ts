import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { httpCallContext } from '../../proxy/call-context';
import { runInference } from '../../proxy/inference';
import { jsonInference, type JsonRoute } from '../../proxy/json-inference';

/** The handler shared by every JSON inference route: read the body, then the common request path. */
export function jsonProxy(route: JsonRoute) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const raw = await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
    return runInference(httpCallContext(c), jsonInference(route, raw));
  };
}
