import * as z from '../http/zod';
import { invalidRequest } from '../http/errors';
import { parseConfigYaml, YamlError } from './yaml';
import { validate } from '../http/validate';
import { derivedId, toDeployment } from './normalize';
import { deploymentInputSchema, routerSettingsSchema, type Deployment, type RouterSettings } from './schema';

/** Sections of a LiteLLM config.yaml the gateway reads; the others are reported back as ignored, never applied. */
const configSchema = z.looseObject({
  model_list: z.optional(z.array(z.unknown())),
  router_settings: z.optional(z.unknown()),
});

export interface ImportedConfig {
  deployments: Deployment[];
  routerSettings: RouterSettings | undefined;
  ignored: string[];
}

export function parseConfigText(text: string): unknown {
  try {
    return parseConfigYaml(text);
  } catch (err) {
    if (err instanceof YamlError) throw invalidRequest(`config is not valid YAML (or uses YAML this endpoint does not read): ${err.message}`);
    throw err;
  }
}

/**
 * Validates a whole LiteLLM config before anything is stored, so an import is all or nothing. Every error names the
 * entry (`model_list[2] (model_name "x")`) and the field.
 */
export async function importLitellmConfig(raw: unknown): Promise<ImportedConfig> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidRequest('config must be a YAML/JSON mapping with a model_list');
  }
  const config = validate(configSchema, raw);
  const ignored = Object.keys(config).filter((k) => k !== 'model_list' && k !== 'router_settings');
  const deployments: Deployment[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of (config.model_list ?? []).entries()) {
    const name = (entry as { model_name?: unknown } | null)?.model_name;
    const label = typeof name === 'string' ? `model_list[${i}] (model_name "${name}")` : `model_list[${i}]`;
    const input = validate(deploymentInputSchema, entry, label);
    let id = input.model_info?.id ?? (await derivedId(input));
    if (seen.has(id)) {
      if (input.model_info?.id) throw invalidRequest(`${label}: model_info.id "${id}" is used twice`, 'model_info.id');
      for (let n = 2; seen.has(`${id}-${n}`); n++) id = `${id}-${n + 1}`;
      id = seen.has(id) ? `${id}-2` : id;
    }
    seen.add(id);
    deployments.push(toDeployment(input, id));
  }
  const routerSettings =
    config.router_settings === undefined ? undefined : validate(routerSettingsSchema, config.router_settings, 'router_settings');
  return { deployments, routerSettings, ignored };
}
