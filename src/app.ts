import { Hono } from 'hono';
import type { AppEnv } from './env';
import { GatewayError } from './http/errors';
import { onError } from './http/render-error';
import { requestContext } from './http/request-context';
import { healthRoutes } from './routes/health';
import { keyAdminRoutes } from './routes/admin/keys';
import { modelAdminRoutes } from './routes/admin/models';
import { spendRoutes } from './routes/admin/spend';
import { openaiRoutes } from './routes/openai';
import { uiRoutes } from './ui/routes';

/** Middleware order: request id and timer first (so every response, errors included, carries them), then routes. */
export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext);
  app.route('/', healthRoutes());
  const openai = openaiRoutes();
  app.route('/v1', openai);
  app.route('/', openai);
  // vLLM serves rerank at /v2/rerank too; Cohere-style clients call that path.
  app.post('/v2/rerank', (c) => openai.fetch(new Request(new URL('/rerank', c.req.url), c.req.raw), c.env, c.executionCtx));
  app.route('/', modelAdminRoutes());
  app.route('/', keyAdminRoutes());
  app.route('/', spendRoutes());
  app.route('/ui', uiRoutes());
  app.notFound((c) => {
    throw new GatewayError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  app.onError(onError);
  return app;
}
