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

/** How long the other requests keep an expired copy while one re-reads it; a read not done by then is presumed lost. */
const REFRESH_WAIT_MS = 2000;

let cached: { table: RoutingTable; expires: number } | undefined;
/** When a request of this isolate started re-reading an expired copy (0: none is). */
let refreshStartedAt = 0;

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

/**
 * The routing table this isolate can use without waiting: a fresh copy, or an expired one while another request
 * of the isolate re-reads KV (stale-while-revalidate: requests arriving during that read need not each read too).
 */
export function currentRoutingTable(): RoutingTable | undefined {
  if (!cached) return undefined;
  const now = Date.now();
  if (cached.expires > now || now - refreshStartedAt < REFRESH_WAIT_MS) return cached.table;
  return undefined;
}

export async function getRoutingTable(env: Bindings): Promise<RoutingTable> {
  const table = currentRoutingTable();
  if (table) return table;
  // This request re-reads; until it is done (or presumed dead) the others keep the copy they have. A promise of one
  // request's I/O must not be awaited by another (workerd refuses it), so only this plain mark is shared.
  const mark = Date.now();
  refreshStartedAt = mark;
  try {
    const config = await env.GATEWAY_KV.get<GatewayConfig>(CONFIG_KV_KEY, 'json');
    if (refreshStartedAt === mark) refreshStartedAt = 0;
    return remember(config ?? emptyConfig());
  } catch (err) {
    // KV unreachable: keep routing with the copy this isolate has (the mark stays, so the next re-read waits
    // REFRESH_WAIT_MS instead of every request trying and failing).
    if (cached) return cached.table;
    throw err;
  }
}

/** Called with the snapshot an admin change returned, so this isolate serves the change on its next request. */
export function remember(config: GatewayConfig): RoutingTable {
  // Versions only grow: never step back to an older snapshot, e.g. a KV read that has not yet seen this isolate's change.
  // The same version is the same content: keeping its table (rather than one built from the new read every 5 s)
  // keeps the objects V8's optimized code was specialized on, which a rebuilt table's would deoptimize.
  const table = cached && cached.table.config.version >= config.version ? cached.table : indexConfig(config);
  cached = { table, expires: Date.now() + ISOLATE_CACHE_MS };
  return table;
}
