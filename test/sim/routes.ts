import type { Handler } from './context';
import { chatCompletions } from './handlers/chat';
import { completions } from './handlers/completions';
import { embeddings } from './handlers/embeddings';
import { health, models, version } from './handlers/info';
import { rerank } from './handlers/rerank';
import { transcriptions } from './handlers/transcriptions';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Inference routes are subject to the latency and failure knobs. */
  inference: boolean;
  handler: Handler;
}

const inference = (path: string, handler: Handler): Route => ({ method: 'POST', path, inference: true, handler });
const info = (path: string, handler: Handler): Route => ({ method: 'GET', path, inference: false, handler });

export const ROUTES: readonly Route[] = [
  inference('/v1/chat/completions', chatCompletions),
  inference('/v1/completions', completions),
  inference('/v1/embeddings', embeddings),
  inference('/rerank', rerank),
  inference('/v1/rerank', rerank),
  inference('/v2/rerank', rerank),
  inference('/v1/audio/transcriptions', transcriptions),
  info('/v1/models', models),
  info('/health', health),
  info('/version', version),
];

/** The route for a request, 'method' when only the method is wrong (FastAPI's 405), or undefined. */
export function findRoute(method: string, path: string): Route | 'method' | undefined {
  const byPath = ROUTES.filter((r) => r.path === path);
  return byPath.find((r) => r.method === method) ?? (byPath.length > 0 ? 'method' : undefined);
}
