import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { jsonProxy } from './json-proxy';
import { JSON_ROUTES } from '../../proxy/json-inference';
import { transcription } from './transcription';
import { listModels, retrieveModel } from './models';
import { fileRoutes } from './files';
import { uploadRoutes } from './uploads';
import { batchRoutes } from './batches';

/** The OpenAI-compatible surface. Mounted at `/` and `/v1`, as LiteLLM and vLLM both serve it. */
export function openaiRoutes(): Hono<AppEnv> {
  // Middleware per route, not '*': this app is mounted at '/', where a wildcard would also cover admin and unknown paths.
  const app = new Hono<AppEnv>();
  // The JSON inference routes authenticate inside their one handler (json-proxy.ts): Hono's direct path.
  app.post('/chat/completions', jsonProxy(JSON_ROUTES.chat));
  app.post('/completions', jsonProxy(JSON_ROUTES.completion));
  app.post('/embeddings', jsonProxy(JSON_ROUTES.embedding));
  app.post('/rerank', jsonProxy(JSON_ROUTES.rerank));
  app.post('/audio/transcriptions', authenticate, transcription);
  app.route('/', fileRoutes());
  app.route('/', uploadRoutes());
  app.route('/', batchRoutes());
  app.get('/models', authenticate, listModels);
  app.get('/models/:model{.+}', authenticate, retrieveModel);
  return app;
}
