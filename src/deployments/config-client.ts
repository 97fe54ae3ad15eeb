import type { Bindings } from '../env';
import { remember } from './config-cache';
import { GatewayError, invalidRequest, notFound } from '../http/errors';
import { isMasterKeyValue } from '../auth/master-key';
import { isEnvRef } from './secrets';
import type { Deployment, GatewayConfig, RouterSettings } from './schema';

/** The one ConfigStore instance; every admin change goes through it and refreshes this isolate's cache. */
function store(env: Bindings) {
  return env.CONFIG.get(env.CONFIG.idFromName('global'));
}

function assertNoMasterKey(env: Bindings, d: Deployment): void {
  const key = d.litellm_params.api_key;
  if (key !== undefined && !isEnvRef(key) && isMasterKeyValue(key, env)) {
    throw invalidRequest(
      `deployment '${d.model_info.id}' (model_name "${d.model_name}"): litellm_params.api_key must not be the master key, which is never sent upstream`,
      'litellm_params.api_key',
    );
  }
}

/** Upserts by id (config import, dashboard); with `replace` the given list becomes the whole table. */
export async function saveDeployments(
  env: Bindings,
  deployments: Deployment[],
  options: { replace?: boolean; routerSettings?: RouterSettings } = {},
): Promise<GatewayConfig> {
  for (const d of deployments) assertNoMasterKey(env, d);
  const config = await store(env).upsert(deployments, options);
  remember(config);
  return config;
}

/** `/model/new`: a deployment under a new id. An id in use is a 409 naming it, never a silent replacement. */
export async function addDeployment(env: Bindings, deployment: Deployment): Promise<GatewayConfig> {
  assertNoMasterKey(env, deployment);
  const { added, config } = await store(env).add(deployment);
  remember(config);
  if (!added) {
    throw new GatewayError(
      'conflict',
      `A deployment with model_info.id "${deployment.model_info.id}" already exists; use /model/update or PATCH /model/{model_id}/update to change it`,
      { param: 'model_info.id' },
    );
  }
  return config;
}

/** How often an update re-merges after another admin change landed between its read and its write. */
const UPDATE_ATTEMPTS = 3;

/**
 * Replaces deployment `id` with `merge(current)`: merged, validated and checked in full before anything is written,
 * and written only if nobody changed the deployment meanwhile (else merged again from the newer copy).
 */
export async function updateDeployment(
  env: Bindings,
  id: string,
  merge: (current: Deployment) => Deployment,
): Promise<Deployment> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const body = await store(env).body(id);
    if (body === null) throw notFound(`Model with id=${id.slice(0, 200)} not found`, 'model_info.id');
    const next = merge(JSON.parse(body) as Deployment);
    assertNoMasterKey(env, next);
    const { outcome, config } = await store(env).replace(body, next);
    remember(config);
    if (outcome === 'replaced') return next;
    if (outcome === 'missing') throw notFound(`Model with id=${id.slice(0, 200)} not found`, 'model_info.id');
  }
  throw new GatewayError('conflict', `Deployment "${id}" kept changing while this update was applied; retry it`, { param: 'model_info.id' });
}

export async function deleteDeployment(env: Bindings, id: string): Promise<boolean> {
  const { deleted, config } = await store(env).remove(id);
  remember(config);
  return deleted;
}

export async function readConfig(env: Bindings): Promise<GatewayConfig> {
  return store(env).snapshot();
}
