import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { getRoutingTable } from '../../deployments/config-cache';
import type { Deployment } from '../../deployments/schema';
import { findModel, modelNotFound } from '../../routing/resolve';
import { liveKey } from '../../proxy/accounting';
import { allowsModel } from '../../keys/key-record';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** `from`: the deployment whose creation time is shown (the group's first, or the one named by id). */
function modelObject(id: string, from: Deployment | undefined): ModelObject {
  const created = from?.model_info.created_at;
  return {
    id,
    object: 'model',
    created: created ? Math.floor(Date.parse(created) / 1000) : 0,
    // LiteLLM reports "openai" for every model group; clients rely on the field existing, not its value.
    owned_by: 'openai',
  };
}

/** `GET /v1/models`: the model groups (not the individual deployments behind them). */
export async function listModels(c: Context<AppEnv>): Promise<Response> {
  const [table, key] = await Promise.all([getRoutingTable(c.env), liveKey(c.env, c.get('caller'))]);
  const data = [...table.groups.keys()]
    .filter((group) => !key || allowsModel(key.models, group))
    .map((group) => modelObject(group, table.groups.get(group)?.[0]));
  return c.json({ object: 'list', data });
}

/**
 * `GET /v1/models/{model}`: a model group, or one deployment by its `model_info.id` (which inference accepts as a
 * model too), if the caller's key may use the group it belongs to.
 */
export async function retrieveModel(c: Context<AppEnv>): Promise<Response> {
  const name = c.req.param('model') ?? '';
  const [table, key] = await Promise.all([getRoutingTable(c.env), liveKey(c.env, c.get('caller'))]);
  const target = findModel(table, name);
  if (!target || (key && !allowsModel(key.models, target.group))) throw modelNotFound(name);
  return c.json(modelObject(name, target.deployments[0]));
}
