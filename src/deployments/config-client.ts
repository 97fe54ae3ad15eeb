import type { Bindings } from '../env';
import { remember } from './config-cache';
import { invalidRequest } from '../http/errors';
import { isMasterKeyValue } from '../auth/master-key';
import { isEnvRef } from './secrets';
import type { Deployment, GatewayConfig, RouterSettings } from './schema';

/** The one ConfigStore instance; every admin change goes through it and refreshes this isolate's cache. */
function store(env: Bindings) {
  return env.CONFIG.get(env.CONFIG.idFromName('global'));
}

export async function saveDeployments(
  env: Bindings,
  deployments: Deployment[],
  options: { replace?: boolean; routerSettings?: RouterSettings } = {},
): Promise<GatewayConfig> {
  for (const d of deployments) {
    const key = d.litellm_params.api_key;
    if (key !== undefined && !isEnvRef(key) && isMasterKeyValue(key, env)) {
      throw invalidRequest(
        `deployment '${d.model_info.id}' (model_name "${d.model_name}"): litellm_params.api_key must not be the master key, which is never sent upstream`,
        'litellm_params.api_key',
      );
    }
  }
  const config = await store(env).upsert(deployments, options);
  remember(config);
  return config;
}

export async function deleteDeployment(env: Bindings, id: string): Promise<boolean> {
  const { deleted, config } = await store(env).remove(id);
  remember(config);
  return deleted;
}

export async function readConfig(env: Bindings): Promise<GatewayConfig> {
  return store(env).snapshot();
}
