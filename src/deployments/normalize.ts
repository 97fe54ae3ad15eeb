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

/** What /model/info shows in place of a secret; never a value to store (see deployment-patch.ts). */
export const REDACTED = '[redacted]';

/**
 * For /model/info and import echoes: a literal upstream key (or custom_tokenizer.auth_token), and credentials written into api_base
 * (`https://user:pass@host`; query values and a `#fragment` in records stored before those were refused), are never
 * shown; an `os.environ/NAME` reference is only a name and stays.
 */
export function redact(d: Deployment): Deployment {
  const params = { ...d.litellm_params };
  if (params.api_key !== undefined && !isEnvRef(params.api_key)) params.api_key = REDACTED;
  if (params.api_base !== undefined && !isEnvRef(params.api_base)) params.api_base = withoutCredentials(params.api_base);
  const tokenizer = d.model_info.custom_tokenizer;
  if (tokenizer?.auth_token !== undefined && !isEnvRef(tokenizer.auth_token)) {
    return { ...d, litellm_params: params, model_info: { ...d.model_info, custom_tokenizer: { ...tokenizer, auth_token: REDACTED } } };
  }
  return { ...d, litellm_params: params };
}

function withoutCredentials(base: string): string {
  try {
    const url = new URL(base);
    if (!url.username && !url.password && !url.search && !url.hash) return base;
    if (url.username || url.password) {
      url.username = REDACTED;
      url.password = '';
    }
    for (const name of new Set(url.searchParams.keys())) url.searchParams.set(name, REDACTED);
    if (url.hash) url.hash = REDACTED;
    return url.toString();
  } catch {
    return base;
  }
}
