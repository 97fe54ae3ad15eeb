import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/**
 * Gives every request a call id (reusing a client-sent `x-litellm-call-id`, as LiteLLM does, so a client can
 * correlate its own logs) and a start time; stamps the id on whatever response comes back, errors included.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header('x-litellm-call-id');
  const id = sent && /^[A-Za-z0-9._:-]{1,128}$/.test(sent) ? sent : crypto.randomUUID();
  c.set('requestId', id);
  c.set('startedAt', Date.now());
  c.set('upstreamMs', 0);
  await next();
  c.res.headers.set('x-litellm-call-id', id);
};
