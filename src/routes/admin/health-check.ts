import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { getRoutingTable } from '../../deployments/config-cache';
import { probeAll } from '../../routing/health-probe';

/**
 * `GET /health` (master key): LiteLLM's active health check. Probes every deployment (or those of `?model=` /
 * `?model_id=`) and reports them as healthy or unhealthy. No secrets: api_base is shown without credentials.
 */
export async function healthCheck(c: Context<AppEnv>): Promise<Response> {
  const table = await getRoutingTable(c.env);
  const group = c.req.query('model');
  const id = c.req.query('model_id');
  const deployments = table.config.deployments.filter(
    (d) => (!group || d.model_name === group) && (!id || d.model_info.id === id),
  );
  const results = await probeAll(deployments, c.env, table.config.router_settings);
  const healthy = results.filter((r) => r.error === undefined);
  const unhealthy = results.filter((r) => r.error !== undefined);
  return c.json({
    healthy_endpoints: healthy,
    unhealthy_endpoints: unhealthy,
    healthy_count: healthy.length,
    unhealthy_count: unhealthy.length,
  });
}
