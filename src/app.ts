import { Hono } from 'hono';
import type { AppEnv } from './env';
import { GatewayError } from './http/errors';
import { onError } from './http/render-error';
import { healthRoutes } from './routes/health';
import { keyAdminRoutes } from './routes/admin/keys';
import { modelAdminRoutes } from './routes/admin/models';
import { spendRoutes } from './routes/admin/spend';
import { openaiRoutes } from './routes/openai';
import { jsonProxy } from './routes/openai/json-proxy';
import { JSON_ROUTES } from './proxy/json-inference';
import { uiRoutes } from './ui/routes';

/** The routes. Inference routes give their call its id when they begin (src/http/request-context.ts). */
export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/', healthRoutes());
  const openai = openaiRoutes();
  app.route('/v1', openai);
  app.route('/', openai);
  // vLLM serves rerank at /v2/rerank too; Cohere-style clients call that path.
  app.post('/v2/rerank', jsonProxy(JSON_ROUTES.rerank));
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
