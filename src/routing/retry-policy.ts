import { GatewayError } from '../http/errors';

/**
 * What one failed attempt means for the rest of the request and for the deployment's health, after LiteLLM's
 * Router (`should_retry_this_error`, `_is_cooldown_required`, `_should_cooldown_deployment`).
 */
export interface FailurePolicy {
  /**
   * `any`: retry, on another deployment first, then on one already tried after a pause (see backoff.ts).
   * `elsewhere`: retry on another deployment only: this one is misconfigured and will not heal within seconds.
   * `never`: the request itself is at fault; every deployment would answer the same.
   */
  retry: 'any' | 'elsewhere' | 'never';
  /** `now`: skipped for cooldown_time at once; `counted`: one of its `allowed_fails`; `none`: its health is fine. */
  cooldown: 'now' | 'counted' | 'none';
}

const CLIENT_FAULT: FailurePolicy = { retry: 'never', cooldown: 'none' };
const TRANSIENT: FailurePolicy = { retry: 'any', cooldown: 'counted' };
/** 401 (wrong upstream key) and 404 (model not served there): the deployment's config, not the client's request. */
const MISCONFIGURED: FailurePolicy = { retry: 'elsewhere', cooldown: 'now' };
/** LiteLLM retries a 403 elsewhere but does not cool the deployment down for it. */
const FORBIDDEN: FailurePolicy = { retry: 'elsewhere', cooldown: 'none' };
const RATE_LIMITED_IN_GROUP: FailurePolicy = { retry: 'any', cooldown: 'now' };

/**
 * `groupSize` is the number of deployments in the deployment's model group: a 429 takes a deployment out at once
 * only when others can take its traffic (LiteLLM keeps a lone deployment in service). A context-window 400 is
 * handled before this (it moves to `context_window_fallbacks`); any other 400 or 422 is the client's.
 */
export function failurePolicy(err: unknown, groupSize: number): FailurePolicy {
  if (!(err instanceof GatewayError)) return CLIENT_FAULT;
  if (err.kind === 'upstream_unreachable' || err.kind === 'upstream_timeout') return TRANSIENT;
  if (err.kind !== 'upstream_error') return CLIENT_FAULT;
  const status = err.options.status ?? 0;
  if (status === 401 || status === 404) return MISCONFIGURED;
  if (status === 403) return FORBIDDEN;
  if (status === 429) return groupSize > 1 ? RATE_LIMITED_IN_GROUP : TRANSIENT;
  if (status === 408 || status >= 500) return TRANSIENT;
  return CLIENT_FAULT;
}
