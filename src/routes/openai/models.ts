import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { getRoutingTable, type RoutingTable } from '../../deployments/config-cache';
import { modelNotFound } from '../../routing/resolve';
import { liveKey } from '../../proxy/accounting';
import { allowsModel } from '../../keys/key-record';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

function modelObject(table: RoutingTable, group: string): ModelObject {
  const created = table.groups.get(group)?.[0]?.model_info.created_at;
  return {
    id: group,
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
    .map((group) => modelObject(table, group));
  return c.json({ object: 'list', data });
}

export async function retrieveModel(c: Context<AppEnv>): Promise<Response> {
  const name = c.req.param('model') ?? '';
  const [table, key] = await Promise.all([getRoutingTable(c.env), liveKey(c.env, c.get('caller'))]);
  if (!table.groups.has(name) || (key && !allowsModel(key.models, name))) throw modelNotFound(name);
  return c.json(modelObject(table, name));
}
