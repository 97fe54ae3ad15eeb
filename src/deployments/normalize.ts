import { sha256Hex } from '../auth/hash';
import { isEnvRef } from './secrets';
import type { Deployment, DeploymentInput } from './schema';

export function toDeployment(input: DeploymentInput, id: string, now = new Date()): Deployment {
  return {
    model_name: input.model_name,
    litellm_params: input.litellm_params,
    model_info: { ...input.model_info, id, created_at: now.toISOString() },
  };
}

/**
 * A stable id for a config entry without `model_info.id`, so pushing the same config.yaml twice updates the same
 * deployments instead of adding copies.
 */
export async function derivedId(input: DeploymentInput): Promise<string> {
  const basis = [input.model_name, input.litellm_params.model, input.litellm_params.api_base ?? ''].join('\n');
  return (await sha256Hex(basis)).slice(0, 16);
}

const REDACTED = '[redacted]';

/** For /model/info: a literal upstream key is never shown; an `os.environ/NAME` reference is only a name and stays. */
export function redact(d: Deployment): Deployment {
  const key = d.litellm_params.api_key;
  if (key === undefined || isEnvRef(key)) return d;
  return { ...d, litellm_params: { ...d.litellm_params, api_key: REDACTED } };
}
