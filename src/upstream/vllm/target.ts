import { envString, type Bindings } from '../../env';
import { isMasterKeyValue } from '../../auth/master-key';
import { resolveValue } from '../../deployments/secrets';
import type { Deployment } from '../../deployments/schema';
import { GatewayError } from '../../http/errors';

/** Where and how to reach one deployment's vLLM server. */
export interface UpstreamTarget {
  deploymentId: string;
  /** Server root without a trailing slash or /v1: OpenAI routes are `${base}/v1/...`, rerank and health `${base}/...`. */
  base: string;
  apiKey: string | undefined;
  /** The name vLLM serves the model under (`--served-model-name`). */
  servedModel: string;
  /** Whole-request timeout (ms). */
  timeoutMs: number;
  /** Time to the first streamed byte (ms). */
  streamTimeoutMs: number;
}

/** LiteLLM's default request timeout is 600 s; vLLM generations can be long. */
const DEFAULT_TIMEOUT_S = 600;

export function normalizeBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export function servedModelName(model: string): string {
  return model.slice(model.indexOf('/') + 1);
}

/**
 * Targets per deployment snapshot: a deployment object is immutable (a config change makes new ones), and `env`
 * is the same object for every request of an isolate, so both identities key the result.
 */
const resolved = new WeakMap<Deployment, { env: Bindings; defaults: object; target: UpstreamTarget }>();

export function resolveTarget(
  deployment: Deployment,
  env: Bindings,
  defaults: { timeout?: number; stream_timeout?: number } = {},
): UpstreamTarget {
  const hit = resolved.get(deployment);
  if (hit && hit.env === env && hit.defaults === defaults) return hit.target;
  const target = buildTarget(deployment, env, defaults);
  resolved.set(deployment, { env, defaults, target });
  return target;
}

function buildTarget(
  deployment: Deployment,
  env: Bindings,
  defaults: { timeout?: number; stream_timeout?: number },
): UpstreamTarget {
  const params = deployment.litellm_params;
  const where = `deployment '${deployment.model_info.id}'`;
  const isHostedVllm = params.model.startsWith('hosted_vllm/');
  const configuredBase = params.api_base ?? (isHostedVllm ? envString(env, 'HOSTED_VLLM_API_BASE') : undefined);
  if (!configuredBase) {
    throw new GatewayError(
      'not_configured',
      `${where} has no api_base and HOSTED_VLLM_API_BASE is not set on the gateway`,
    );
  }
  const keyRef = params.api_key ?? (isHostedVllm ? envString(env, 'HOSTED_VLLM_API_KEY') : undefined);
  const timeout = params.timeout ?? defaults.timeout ?? DEFAULT_TIMEOUT_S;
  const apiKey = keyRef === undefined ? undefined : resolveValue(keyRef, env, `${where} api_key`);
  // Refused when a deployment is saved too; this catches one stored before, or a variable holding the same value.
  if (apiKey !== undefined && isMasterKeyValue(apiKey, env)) {
    throw new GatewayError('not_configured', `${where} has the master key as its api_key; the master key is never sent upstream`);
  }
  return {
    deploymentId: deployment.model_info.id,
    base: normalizeBase(resolveValue(configuredBase, env, `${where} api_base`)),
    apiKey,
    servedModel: servedModelName(params.model),
    timeoutMs: timeout * 1000,
    streamTimeoutMs: (params.stream_timeout ?? defaults.stream_timeout ?? timeout) * 1000,
  };
}
