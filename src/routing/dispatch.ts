import type { CallContext } from '../proxy/call-context';
import type { RoutingTable } from '../deployments/config-cache';
import type { Deployment, RouterSettings } from '../deployments/schema';
import { GatewayError } from '../http/errors';
import type { CallAccount } from '../proxy/accounting';
import type { BuiltRequest, ResponseAdapter } from '../proxy/response-adapter';
import { callUpstream, ClientGone, type UpstreamResponse } from '../upstream/vllm/client';
import { resolveTarget, type UpstreamTarget } from '../upstream/vllm/target';
import { acquire } from './busy';
import { chooseDeployment } from './choose';
import { backoffMs, retryAfterMs } from './backoff';
import { DEFAULT_ALLOWED_FAILS, DEFAULT_COOLDOWN_S, recordFailure } from './cooldown';
import { fallbackGroups, isContextWindowError } from './fallbacks';
import { pause } from './pause';
import { failurePolicy } from './retry-policy';
import type { ModelTarget } from './resolve';

export interface DispatchRequest {
  path: string;
  stream: boolean;
  build(target: UpstreamTarget, deployment: Deployment): BuiltRequest;
  /** False for streamed uploads: their body can be sent only once, so they get a single attempt. */
  replayable: boolean;
  /** Aborts the upstream call (the client went away), for calls that must settle even then. */
  signal?: AbortSignal;
}

export interface DispatchOutcome {
  group: string;
  deployment: Deployment;
  upstream: UpstreamResponse;
  /** Set when the request went upstream in another shape and the answer must be reshaped back. */
  adapter: ResponseAdapter | undefined;
  retries: number;
  fallbacks: number;
}

const DEFAULT_RETRIES = 2;

/**
 * Sends a request to a deployment of its group, retrying failures on other deployments (then on ones already tried,
 * after a pause: their Retry-After or LiteLLM's backoff), cooling down deployments that fail, and moving on to the
 * configured fallback groups that the caller's key may use. Nothing here runs after the response has started: a
 * stream is never retried.
 */
export async function dispatch(
  c: CallContext,
  table: RoutingTable,
  model: ModelTarget,
  account: CallAccount,
  req: DispatchRequest,
): Promise<DispatchOutcome> {
  const settings = table.config.router_settings;
  const attempts = req.replayable ? 1 + (settings.num_retries ?? DEFAULT_RETRIES) : 1;
  const chain: ModelTarget[] = [model];
  let retries = 0;
  let lastError: unknown;

  for (let g = 0; g < chain.length; g++) {
    const group = chain[g]!;
    // Deployments that must not be tried again in this request (misconfigured: 401/403/404); made on first need.
    let barred: Set<string> | undefined;
    let tried = new Set<string>();
    // Every deployment has been tried once: from now on each retry goes back to one that failed, after a pause.
    let goingBack = false;
    let contextTooLong = false;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let deployment = chooseDeployment(group.deployments, tried, settings.routing_strategy, group.prefer);
      if (!deployment) {
        tried = new Set(barred);
        goingBack = true;
        deployment = chooseDeployment(group.deployments, tried, settings.routing_strategy, group.prefer);
      }
      if (!deployment) break;
      if (attempt > 0) {
        retries++;
        if (goingBack) {
          const wait = backoffMs(lastError, attempt, (settings.retry_after ?? 0) * 1000);
          // The client's signal is read only here, off the hot path: a pause ends when the client goes away.
          await pause(wait, req.signal ?? c.clientSignal?.());
        }
      }
      try {
        const { upstream, adapter } = await attemptOn(c, deployment, settings, req);
        return { group: group.group, deployment, upstream, adapter, retries, fallbacks: g };
      } catch (err) {
        if (err instanceof ClientGone) throw err;
        lastError = err;
        if (err instanceof GatewayError && isContextWindowError(err.options.status ?? 0, err.message)) {
          contextTooLong = true;
          break;
        }
        const id = deployment.model_info.id;
        const policy = failurePolicy(err, table.groups.get(deployment.model_name)?.length ?? group.deployments.length);
        if (policy.retry === 'never') throw err;
        if (policy.retry === 'elsewhere') (barred ??= new Set()).add(id);
        tried.add(id);
        if (policy.cooldown === 'none') continue;
        const wait = retryAfterMs(err);
        recordFailure(id, {
          allowedFails: settings.allowed_fails ?? DEFAULT_ALLOWED_FAILS,
          cooldownMs: (settings.cooldown_time ?? DEFAULT_COOLDOWN_S) * 1000,
          immediate: policy.cooldown === 'now',
          ...(wait ? { retryAfterMs: wait } : {}),
        });
      }
    }
    if (g > 0) continue;
    // Fallbacks are read for the requested group only, and only groups the key may use are followed.
    const list = contextTooLong ? settings.context_window_fallbacks : settings.fallbacks;
    for (const name of fallbackGroups(list, group.group)) {
      const fallback = table.groups.get(name);
      if (fallback && account.allows(name)) chain.push({ group: name, deployments: fallback, pinned: false });
    }
  }
  // Built only when needed: an Error captures a stack trace, too costly to make on every request.
  throw lastError ?? new GatewayError('upstream_unreachable', `Model group '${model.group}' has no deployments`);
}

async function attemptOn(
  c: CallContext,
  deployment: Deployment,
  settings: RouterSettings,
  req: DispatchRequest,
): Promise<{ upstream: UpstreamResponse; adapter: ResponseAdapter | undefined }> {
  const target = resolveTarget(deployment, c.env, settings);
  const built = req.build(target, deployment);
  const upstream = await callUpstream({
    target,
    path: built.path ?? req.path,
    body: built.body,
    contentType: built.contentType,
    stream: req.stream,
    inRequest: !c.batch,
    ...(req.signal ? { signal: req.signal } : {}),
    onFinish: acquire(deployment.model_info.id),
  });
  return { upstream, adapter: built.adapter };
}
