import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { chatEdits } from '../../upstream/vllm/chat-transforms';
import {
  chatRequestSchema,
  completionRequestSchema,
  embeddingRequestSchema,
  rerankRequestSchema,
} from '../../openai/schemas';
import { jsonProxy } from './json-proxy';
import { chatForCompletionModel } from '../../templates/conversion';
import { addBilledUnits } from './rerank-meta';
import { transcription } from './transcription';
import { listModels, retrieveModel } from './models';
import { fileRoutes } from './files';
import { uploadRoutes } from './uploads';

/** The OpenAI-compatible surface. Mounted at `/` and `/v1`, as LiteLLM and vLLM both serve it. */
export function openaiRoutes(): Hono<AppEnv> {
  // Middleware per route, not '*': this app is mounted at '/', where a wildcard would also cover admin and unknown paths.
  const app = new Hono<AppEnv>();
  app.post(
    '/chat/completions',
    authenticate,
    jsonProxy({ endpoint: 'chat', schema: chatRequestSchema, edits: chatEdits, convert: chatForCompletionModel }),
  );
  app.post('/completions', authenticate, jsonProxy({ endpoint: 'completion', schema: completionRequestSchema }));
  app.post('/embeddings', authenticate, jsonProxy({ endpoint: 'embedding', schema: embeddingRequestSchema }));
  app.post('/rerank', authenticate, jsonProxy({ endpoint: 'rerank', schema: rerankRequestSchema, reshape: addBilledUnits }));
  app.post('/audio/transcriptions', authenticate, transcription);
  app.route('/', fileRoutes());
  app.route('/', uploadRoutes());
  app.get('/models', authenticate, listModels);
  app.get('/models/:model{.+}', authenticate, retrieveModel);
  return app;
}
