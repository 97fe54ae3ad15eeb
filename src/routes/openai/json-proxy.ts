import type { Context } from 'hono';
import type { AppEnv, Bindings } from '../../env';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { beginCall, newCallStart, type CallStart } from '../../http/request-context';
import { renderError } from '../../http/render-error';
import { callerOf } from '../../auth/middleware';
import { honoLifetime, requestCallContext, type RequestLifetime } from '../../proxy/call-context';
import { runInference } from '../../proxy/inference';
import { jsonInference, type JsonRoute } from '../../proxy/json-inference';

/** The JSON inference routes' Hono handler, for requests src/routes/direct.ts leaves to Hono. */
export function jsonProxy(route: JsonRoute) {
  return (c: Context<AppEnv>): Promise<Response> => serve(route, c.req.raw, c.env, honoLifetime(c), beginCall(c));
}

/**
 * The same route served without Hono: the Worker's fetch hands the exact hot paths straight to it (src/index.ts),
 * since Hono's dispatch and Context cost ~2 % of the workerd instructions of a whole proxied call (callgrind).
 * Errors render exactly as Hono's onError renders them, with the call's id.
 */
export function directJsonProxy(route: JsonRoute) {
  return async (request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> => {
    const start = newCallStart();
    try {
      return await serve(route, request, env, ctx, start);
    } catch (err) {
      return renderError(err, start.id);
    }
  };
}

/** Authenticate, read the body, then the common request path. */
async function serve(route: JsonRoute, request: Request, env: Bindings, ctx: RequestLifetime, start: CallStart): Promise<Response> {
  const caller = await callerOf(env, request.headers);
  const raw = await readJsonObject(request, maxJsonBytes(env.MAX_REQUEST_BODY_MB));
  return runInference(requestCallContext(request, env, ctx, start, caller), jsonInference(route, raw));
}
