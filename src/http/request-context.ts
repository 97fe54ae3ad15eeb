import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { newCallId } from './call-id';

/**
 * Gives every request a fresh call id and a start time, and stamps the id on whatever response comes back, errors
 * included. A client-sent `x-litellm-call-id` is not reused (LiteLLM does): settlement is idempotent by this id,
 * so a client choosing it could replay one id and be charged once.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = newCallId();
  c.set('requestId', id);
  c.set('startedAt', Date.now());
  await next();
  c.res.headers.set('x-litellm-call-id', id);
};
