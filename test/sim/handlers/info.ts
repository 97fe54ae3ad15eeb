// GET /v1/models, GET /health, GET /version: the non-inference routes.
import type { RouteContext } from '../context';

// One `created` for the process, as vLLM reports the server start, not the request time.
const STARTED = Math.floor(Date.now() / 1000);

export function models(ctx: RouteContext): void {
  const data = ctx.config.models.map((id) => ({
    id,
    object: 'model',
    created: STARTED,
    owned_by: 'vllm',
    root: id,
    parent: null,
    max_model_len: ctx.config.maxModelLen,
  }));
  ctx.reply.json(200, { object: 'list', data });
}

/** vLLM answers 200 with an empty body. */
export function health(ctx: RouteContext): void {
  ctx.reply.send(200, '', null);
}

export function version(ctx: RouteContext): void {
  ctx.reply.json(200, { version: ctx.config.version });
}
