import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { jsonProxy } from './json-proxy';
import { JSON_ROUTES, type JsonRoute } from '../../proxy/json-inference';
import { transcription } from './transcription';
import { listModels, retrieveModel } from './models';
import { fileRoutes } from './files';
import { uploadRoutes } from './uploads';
import { batchRoutes } from './batches';

/** The JSON inference routes by path; served at `/` and `/v1` (rerank at `/v2` too: see app.ts). */
export const JSON_PATHS: Readonly<Record<string, JsonRoute>> = {
  '/chat/completions': JSON_ROUTES.chat,
  '/completions': JSON_ROUTES.completion,
  '/embeddings': JSON_ROUTES.embedding,
  '/rerank': JSON_ROUTES.rerank,
};

/** The OpenAI-compatible surface. Mounted at `/` and `/v1`, as LiteLLM and vLLM both serve it. */
export function openaiRoutes(): Hono<AppEnv> {
  // Middleware per route, not '*': this app is mounted at '/', where a wildcard would also cover admin and unknown paths.
  const app = new Hono<AppEnv>();
  // The JSON inference routes authenticate inside their one handler (json-proxy.ts): Hono's direct path.
  for (const [path, route] of Object.entries(JSON_PATHS)) app.post(path, jsonProxy(route));
  app.post('/audio/transcriptions', authenticate, transcription);
  app.route('/', fileRoutes());
  app.route('/', uploadRoutes());
  app.route('/', batchRoutes());
  app.get('/models', authenticate, listModels);
  app.get('/models/:model{.+}', authenticate, retrieveModel);
  return app;
}
