import { Hono, type Context } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { requireMaster } from '../../auth/middleware';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { invalidRequest, notFound } from '../../http/errors';
import { validate } from '../../http/validate';
import { addDeployment, deleteDeployment, readConfig, updateDeployment } from '../../deployments/config-client';
import { deploymentPatchSchema, mergeDeployment, type DeploymentPatch } from '../../deployments/deployment-patch';
import { redact, toDeployment } from '../../deployments/normalize';
import { deploymentInputSchema, type Deployment } from '../../deployments/schema';
import { importConfigRoute } from './config-import';
import { healthCheck } from './health-check';

const deleteSchema = z.strictObject({ id: z.string().check(z.minLength(1)) });

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  return (await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB))).value;
}

/** LiteLLM's answer to /model/new and the updates: the deployment (secrets redacted) with its id on top. */
const shown = (d: Deployment) => ({ model_id: d.model_info.id, ...redact(d) });

async function applyPatch(c: Context<AppEnv>, id: string, patch: DeploymentPatch): Promise<Response> {
  const updated = await updateDeployment(c.env, id, (current) => mergeDeployment(current, patch));
  return c.json(shown(updated));
}

/**
 * LiteLLM's model management API: /model/new, /model/update, PATCH /model/{model_id}/update, /model/info,
 * /model/delete, plus config.yaml import.
 */
export function modelAdminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/model/*', requireMaster);
  app.use('/config/*', requireMaster);

  app.post('/model/new', async (c) => {
    const input = validate(deploymentInputSchema, await jsonBody(c));
    const deployment = toDeployment(input, input.model_info?.id ?? crypto.randomUUID());
    await addDeployment(c.env, deployment);
    return c.json(shown(deployment));
  });

  // LiteLLM's older update: the deployment is named by model_info.id in the body.
  app.post('/model/update', async (c) => {
    const patch = validate(deploymentPatchSchema, await jsonBody(c));
    const id = patch.model_info?.id;
    if (typeof id !== 'string' || id === '') throw invalidRequest('model_info.id: is required (the deployment to update)', 'model_info.id');
    return applyPatch(c, id, patch);
  });

  app.patch('/model/:model_id/update', async (c) => {
    const patch = validate(deploymentPatchSchema, await jsonBody(c));
    return applyPatch(c, c.req.param('model_id'), patch);
  });

  app.get('/model/info', async (c) => {
    const config = await readConfig(c.env);
    const filter = c.req.query('litellm_model_id');
    const data = config.deployments.filter((d) => !filter || d.model_info.id === filter).map(redact);
    return c.json({ data });
  });

  app.post('/model/delete', async (c) => {
    const { id } = validate(deleteSchema, await jsonBody(c));
    if (!(await deleteDeployment(c.env, id))) throw notFound(`Model with id=${id.slice(0, 200)} not found`, 'id');
    return c.json({ message: `Model: ${id} deleted successfully` });
  });

  app.post('/config/import', importConfigRoute);
  app.get('/health', requireMaster, healthCheck);
  return app;
}
