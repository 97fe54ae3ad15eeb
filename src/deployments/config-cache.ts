import type { Bindings } from '../env';
import { emptyConfig, type Deployment, type GatewayConfig } from './schema';

export const CONFIG_KV_KEY = 'config:v1';

/**
 * How long an isolate trusts its copy before re-reading KV. KV itself may serve a value up to 60 s old in other
 * locations, so a change is visible everywhere within ~65 s; in the isolate that made it, immediately.
 */
export const ISOLATE_CACHE_MS = 5000;

/** The routing table with lookups prepared once per snapshot rather than per request. */
export interface RoutingTable {
  config: GatewayConfig;
  groups: ReadonlyMap<string, readonly Deployment[]>;
  byId: ReadonlyMap<string, Deployment>;
}

let cached: { table: RoutingTable; expires: number } | undefined;

export function indexConfig(config: GatewayConfig): RoutingTable {
  const groups = new Map<string, Deployment[]>();
  const byId = new Map<string, Deployment>();
  for (const d of config.deployments) {
    const list = groups.get(d.model_name);
    if (list) list.push(d);
    else groups.set(d.model_name, [d]);
    byId.set(d.model_info.id, d);
  }
  return { config, groups, byId };
}

export async function getRoutingTable(env: Bindings): Promise<RoutingTable> {
  if (cached && cached.expires > Date.now()) return cached.table;
  // Each request reads for itself: a promise of one request's I/O must not be awaited by another (workerd
  // refuses it), so concurrent misses after an expiry each do their own (edge-cached) KV read.
  const config = await env.GATEWAY_KV.get<GatewayConfig>(CONFIG_KV_KEY, 'json');
  return remember(config ?? emptyConfig());
}

/** Called with the snapshot an admin change returned, so this isolate serves the change on its next request. */
export function remember(config: GatewayConfig): RoutingTable {
  // Versions only grow: never step back to an older snapshot, e.g. a KV read that has not yet seen this isolate's change.
  const table = cached && cached.table.config.version > config.version ? cached.table : indexConfig(config);
  cached = { table, expires: Date.now() + ISOLATE_CACHE_MS };
  return table;
}
