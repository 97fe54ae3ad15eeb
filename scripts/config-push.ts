// `npm run config:push -- config.yaml [--replace] [--url http://localhost:8787]`: imports a LiteLLM config.yaml
// into a running gateway. The master key comes from $MASTER_KEY, else from .dev.vars (local development).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isNode, isScalar, parseDocument } from 'yaml';
import { AdminClient, errorMessage } from './gateway-client';
import { DEV_VARS, readVars } from './local-env';

function usage(): never {
  console.error('usage: npm run config:push -- <config.yaml> [--replace] [--url <gateway url>]');
  process.exit(2);
}

const SECTIONS = ['model_list', 'router_settings', 'litellm_settings', 'general_settings', 'environment_variables', 'include'];

/**
 * Full YAML, aliases resolved. A top-level key other than LiteLLM's sections whose value carries an anchor
 * (`common: &common`) only holds what the aliases copy, so it is not sent (the gateway refuses unknown top-level keys).
 */
function readYaml(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  const config: unknown = doc.toJS();
  if (!isMap(doc.contents) || config === null || typeof config !== 'object') return config;
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key !== undefined && !SECTIONS.includes(key) && isNode(pair.value) && pair.value.anchor) delete (config as Record<string, unknown>)[key];
  }
  return config;
}

/**
 * LiteLLM's `include:` (a list of files, relative to the config file): each included file's lists are appended to
 * the config's (its model_list entries join the model_list), its other keys are set. The gateway cannot read files,
 * so they are inlined here.
 */
function withIncludes(config: unknown, file: string): unknown {
  if (config === null || typeof config !== 'object' || Array.isArray(config) || !('include' in config)) return config;
  const { include, ...merged } = config as Record<string, unknown>;
  if (!Array.isArray(include) || !include.every((f) => typeof f === 'string')) throw new Error(`${file}: include must be a list of file paths`);
  for (const name of include) {
    const path = resolve(dirname(file), name);
    const included = readYaml(path);
    if (included === null || typeof included !== 'object' || Array.isArray(included)) throw new Error(`${path} (included): expected a mapping`);
    // LiteLLM reads include only in the top file; a nested one would be dropped silently.
    if ('include' in included) throw new Error(`${path} (included): include inside an included file is not read`);
    for (const [key, value] of Object.entries(included)) {
      const current = merged[key];
      merged[key] = Array.isArray(value) && Array.isArray(current) ? [...current, ...value] : value;
    }
  }
  return merged;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--url');
  if (!file) usage();
  const urlIndex = args.indexOf('--url');
  const url = (urlIndex >= 0 ? args[urlIndex + 1] : process.env.GATEWAY_URL) ?? 'http://localhost:8787';
  const masterKey = process.env.MASTER_KEY ?? readVars(DEV_VARS).MASTER_KEY;
  if (!masterKey) throw new Error('no master key: set MASTER_KEY (or run npm start once to create .dev.vars)');
  const replace = args.includes('--replace');
  const admin = new AdminClient(url.replace(/\/+$/, ''), masterKey);
  // Full YAML is read here (anchors, merge keys, every scalar style) and sent as JSON.
  const config = withIncludes(readYaml(file), file);
  const { status, json } = await admin.request('POST', `/config/import${replace ? '?replace=true' : ''}`, JSON.stringify(config));
  if (status !== 200) throw new Error(`import refused (HTTP ${status}): ${errorMessage(json)}`);
  const result = json as { imported: { model_name: string; model_info: { id: string } }[]; ignored_sections: string[]; total_deployments: number };
  for (const d of result.imported) console.log(`  ✓ ${d.model_name} (id ${d.model_info.id})`);
  if (result.ignored_sections.length) console.log(`  ignored: ${result.ignored_sections.join(', ')}`);
  console.log(`${result.imported.length} deployment(s) imported${replace ? ' (replacing all others)' : ''}; ${result.total_deployments} in total.`);
}

main().catch((err: unknown) => {
  console.error(`config:push failed: ${(err as Error).message}`);
  process.exit(1);
});
