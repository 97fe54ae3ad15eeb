import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { maxJsonBytes, readBodyText } from '../../http/body';
import { GatewayError, invalidRequest } from '../../http/errors';
import { importLitellmConfig, importOptions, parseConfigText } from '../../deployments/litellm-config';
import { saveDeployments } from '../../deployments/config-client';
import { redact } from '../../deployments/normalize';

/**
 * `POST /config/import[?replace=true]`: a LiteLLM config.yaml (as YAML, or the same structure as JSON). Deployments
 * are upserted by id; with `replace=true` the file becomes the whole routing table. All entries are validated first,
 * so a bad entry leaves everything as it was.
 */
export async function importConfigRoute(c: Context<AppEnv>): Promise<Response> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const accepted = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];
  if (!accepted.includes(type)) {
    throw new GatewayError('unsupported_media_type', `Send the config as application/yaml or application/json, not '${type || 'none'}'`);
  }
  const text = await readBodyText(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
  if (!text.trim()) throw invalidRequest('config is empty');
  // YAML is a superset of JSON, so one parser reads both.
  const imported = await importLitellmConfig(parseConfigText(text));
  const replace = c.req.query('replace') === 'true';
  const config = await saveDeployments(c.env, imported.deployments, importOptions(imported, replace));
  return c.json({
    imported: imported.deployments.map((d) => redact(d)),
    replaced: replace,
    ignored_sections: imported.ignored,
    total_deployments: config.deployments.length,
    version: config.version,
  });
}
