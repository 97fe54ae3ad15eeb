import type { Bindings } from '../env';
import { remember } from './config-cache';
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
