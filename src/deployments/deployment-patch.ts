import * as z from '../http/zod';
import { invalidRequest } from '../http/errors';
import { validate } from '../http/validate';
import { REDACTED } from './normalize';
import { deploymentInputSchema, type Deployment } from './schema';

/**
 * The body of LiteLLM's `POST /model/update` and `PATCH /model/{model_id}/update`: a /model/new body whose parts are
 * all optional. Field names and values are checked on the merged deployment, by the same schema as /model/new.
 */
export const deploymentPatchSchema = z.strictObject({
  model_name: z.optional(z.string()),
  litellm_params: z.optional(z.record(z.string(), z.unknown())),
  model_info: z.optional(z.record(z.string(), z.unknown())),
});

export type DeploymentPatch = z.infer<typeof deploymentPatchSchema>;

/** Shallow, as LiteLLM merges (`dict.update`): a given field replaces the stored one, `null` removes it. */
function applied(base: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(patch ?? {})) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

/**
 * The deployment after `patch`. The id (the path's, or model_info.id) cannot change, nor can `created_at`; the
 * placeholder /model/info shows for secrets is refused, so a read-modify-write script cannot store it as a key.
 */
export function mergeDeployment(current: Deployment, patch: DeploymentPatch): Deployment {
  const { id, created_at, ...info } = current.model_info;
  // created_at as /model/info shows it may come back unchanged in a read-modify-write; any other value is refused.
  const { id: patchId, created_at: patchCreated, ...infoPatch } = patch.model_info ?? {};
  if (patchCreated !== undefined && patchCreated !== created_at) {
    throw invalidRequest('model_info.created_at is set when a deployment is added and cannot change', 'model_info.created_at');
  }
  if (patchId !== undefined && patchId !== id) {
    throw invalidRequest(`model_info.id "${String(patchId).slice(0, 200)}" does not match the deployment being updated ("${id}"); ids cannot change`, 'model_info.id');
  }
  const params = patch.litellm_params ?? {};
  if (params.api_key === REDACTED || (typeof params.api_base === 'string' && params.api_base.includes(REDACTED))) {
    const field = params.api_key === REDACTED ? 'api_key' : 'api_base';
    throw invalidRequest(
      `litellm_params.${field}: "${REDACTED}" is what /model/info shows in place of a secret; omit the field to keep the stored value`,
      `litellm_params.${field}`,
    );
  }
  const input = validate(deploymentInputSchema, {
    model_name: patch.model_name ?? current.model_name,
    litellm_params: applied(current.litellm_params, params),
    model_info: applied(info, infoPatch),
  });
  return {
    model_name: input.model_name,
    litellm_params: input.litellm_params,
    model_info: { ...input.model_info, id, ...(created_at ? { created_at } : {}) },
  };
}
