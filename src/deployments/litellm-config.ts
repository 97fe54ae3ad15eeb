import { invalidRequest } from '../http/errors';
import { parseConfigYaml, YamlError } from './yaml';
import { validate } from '../http/validate';
import { derivedId, toDeployment } from './normalize';
import { deploymentInputSchema, type Deployment, type RouterSettings } from './schema';
import { checkSections, fileRouterSettings, ignoredSections } from './litellm-sections';

export interface ImportedConfig {
  deployments: Deployment[];
  routerSettings: RouterSettings | undefined;
  /** Whether the file has a model_list (`model_list: []` counts): replace=true without one would empty the table. */
  hasModelList: boolean;
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
  const config = raw as Record<string, unknown>;
  checkSections(config);
  const list = config.model_list ?? null;
  if (list !== null && !Array.isArray(list)) throw invalidRequest('model_list: expected a list of deployments', 'model_list');
  const deployments: Deployment[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of (list ?? []).entries()) {
    const name = (entry as { model_name?: unknown } | null)?.model_name;
    const label = typeof name === 'string' ? `model_list[${i}] (model_name "${name}")` : `model_list[${i}]`;
    const input = validate(deploymentInputSchema, withoutNullInfo(entry), label);
    let id = input.model_info?.id ?? (await derivedId(input));
    if (seen.has(id)) {
      if (input.model_info?.id) throw invalidRequest(`${label}: model_info.id "${id}" is used twice`, 'model_info.id');
      // Identical entries: the first free `-2`, `-3`, … in file order, so re-importing the file gives the same ids.
      let n = 2;
      while (seen.has(`${id}-${n}`)) n++;
      id = `${id}-${n}`;
    }
    seen.add(id);
    deployments.push(toDeployment(input, id));
  }
  const ignored = ignoredSections(config);
  const routerSettings = fileRouterSettings(config, ignored);
  return { deployments, routerSettings, hasModelList: list !== null, ignored };
}

/** `model_info:` with every key commented out is YAML null: no model_info. */
function withoutNullInfo(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || !('model_info' in entry) || entry.model_info !== null) return entry;
  const { model_info: _null, ...rest } = entry;
  return rest;
}

/**
 * What an import stores. With replace the file is the only source, as LiteLLM reads it: its router settings (none:
 * the defaults) replace the stored ones, and a file without a model_list is refused rather than emptying the table.
 */
export function importOptions(imported: ImportedConfig, replace: boolean): { replace: boolean; routerSettings?: RouterSettings } {
  if (replace && !imported.hasModelList) {
    throw invalidRequest('replace=true needs a model_list (write `model_list: []` to remove every deployment)', 'model_list');
  }
  const routerSettings = imported.routerSettings ?? (replace ? {} : undefined);
  return { replace, ...(routerSettings ? { routerSettings } : {}) };
}
