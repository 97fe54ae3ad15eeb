import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { getRoutingTable } from '../deployments/config-cache';

/** Public probes, shaped like LiteLLM's, for load balancers and orchestrators. No secrets, no auth. */
export function healthRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const alive = (c: { json: (v: unknown) => Response }): Response => c.json("I'm alive!");
  app.get('/health/liveliness', alive);
  app.get('/health/liveness', alive);
  app.get('/health/readiness', async (c) => {
    // Not ready while closed: without MASTER_KEY every API route refuses requests.
    if (!c.env.MASTER_KEY) return c.json({ status: 'unhealthy', reason: 'MASTER_KEY is not set' }, 503);
    const table = await getRoutingTable(c.env);
    return c.json({
      status: 'healthy',
      model_groups: table.groups.size,
      deployments: table.config.deployments.length,
    });
  });
  return app;
}
