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
  return {
    env: c.env,
    caller,
    requestId: start.id,
    startedAt: start.startedAt,
    clientSignal: () => c.req.raw.signal,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    batch: false,
    upstreamMs: 0,
  };
}
