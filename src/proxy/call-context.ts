import type { Context } from 'hono';
import type { Caller } from '../auth/caller';
import type { AppEnv, Bindings } from '../env';
import type { CallStart } from '../http/request-context';

/**
 * What the request path needs to know about one call, whoever makes it: an HTTP request through Hono, or one
 * line of a batch run by the gateway itself. Keeping it free of Hono lets batches take exactly the live path.
 */
export interface CallContext {
  env: Bindings;
  caller: Caller;
  /** The call id: x-litellm-call-id, the spend-log key, and the idempotency key of settlement. */
  requestId: string;
  startedAt: number;
  /** Fires when the client goes away (HTTP requests; see runInference). Read only for calls that need it. */
  clientSignal?(): AbortSignal;
  waitUntil(promise: Promise<unknown>): void;
  /** Batch lines are billed at the deployment's batch prices. */
  batch: boolean;
  /** Milliseconds spent waiting on the upstream, for x-litellm-overhead-duration-ms. */
  upstreamMs: number;
}

export function httpCallContext(c: Context<AppEnv>, start: CallStart, caller: Caller = c.get('caller')): CallContext {
  return requestCallContext(c.req.raw, c.env, honoLifetime(c), start, caller);
}

/** The part of a request's ExecutionContext a call uses (Hono's and workerd's types differ elsewhere). */
export interface RequestLifetime {
  waitUntil(promise: Promise<unknown>): void;
}

/** A Hono request's lifetime, read only when a call needs it: Hono's executionCtx getter throws without one. */
export function honoLifetime(c: Context<AppEnv>): RequestLifetime {
  return { waitUntil: (promise) => c.executionCtx.waitUntil(promise) };
}

/** The same for a request served without Hono (src/routes/direct.ts takes the JSON inference routes straight). */
export function requestCallContext(
  request: Request,
  env: Bindings,
  ctx: RequestLifetime,
  start: CallStart,
  caller: Caller,
): CallContext {
  return {
    env,
    caller,
    requestId: start.id,
    startedAt: start.startedAt,
    clientSignal: () => request.signal,
    waitUntil: (promise) => ctx.waitUntil(promise),
    batch: false,
    upstreamMs: 0,
  };
}
