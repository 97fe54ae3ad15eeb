import { Hono } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { requireMaster } from '../../auth/middleware';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { notFound } from '../../http/errors';
import { validate } from '../../http/validate';
import { deleteDeployment, readConfig, saveDeployments } from '../../deployments/config-client';
import { redact, toDeployment } from '../../deployments/normalize';
import { deploymentInputSchema } from '../../deployments/schema';
import { importConfigRoute } from './config-import';
import { healthCheck } from './health-check';

const deleteSchema = z.strictObject({ id: z.string().check(z.minLength(1)) });

/** LiteLLM's model management API: /model/new, /model/info, /model/delete, plus config.yaml import. */
export function modelAdminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/model/*', requireMaster);
  app.use('/config/*', requireMaster);

  app.post('/model/new', async (c) => {
    const { value } = await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
    const input = validate(deploymentInputSchema, value);
    const deployment = toDeployment(input, input.model_info?.id ?? crypto.randomUUID());
    await saveDeployments(c.env, [deployment]);
    const shown = redact(deployment);
    return c.json({ model_id: deployment.model_info.id, ...shown });
  });

  app.get('/model/info', async (c) => {
    const config = await readConfig(c.env);
    const filter = c.req.query('litellm_model_id');
    const data = config.deployments.filter((d) => !filter || d.model_info.id === filter).map(redact);
    return c.json({ data });
  });

  app.post('/model/delete', async (c) => {
    const { value } = await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
    const { id } = validate(deleteSchema, value);
    if (!(await deleteDeployment(c.env, id))) throw notFound(`Model with id=${id.slice(0, 200)} not found`, 'id');
    return c.json({ message: `Model: ${id} deleted successfully` });
  });

  app.post('/config/import', importConfigRoute);
  app.get('/health', requireMaster, healthCheck);
  return app;
}
