import type { Bindings } from '../env';
import { JSON_ROUTES } from '../proxy/json-inference';
import { JSON_PATHS } from './openai';
import { directJsonProxy } from './openai/json-proxy';

type DirectHandler = (request: Request, env: Bindings, ctx: ExecutionContext) => Promise<Response>;

/**
 * The POST paths the Worker serves without Hono: the JSON inference routes, each request's hot path. Exactly the
 * paths Hono serves them at (app.ts); anything else, a trailing slash or a percent-encoded path included, goes
 * through Hono as before.
 */
const DIRECT = new Map<string, DirectHandler>();
for (const [path, route] of Object.entries(JSON_PATHS)) {
  const handler = directJsonProxy(route);
  DIRECT.set(path, handler);
  DIRECT.set(`/v1${path}`, handler);
}
DIRECT.set('/v2/rerank', directJsonProxy(JSON_ROUTES.rerank));

export function directRoute(request: Request): DirectHandler | undefined {
  return request.method === 'POST' ? DIRECT.get(pathOf(request.url)) : undefined;
}

/** The path of an absolute request URL, without its query (request URLs carry no fragment). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
