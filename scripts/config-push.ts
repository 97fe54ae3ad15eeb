// `npm run config:push -- config.yaml [--replace] [--url http://localhost:8787]`: imports a LiteLLM config.yaml
// into a running gateway. The master key comes from $MASTER_KEY, else from .dev.vars (local development).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AdminClient, errorMessage } from './gateway-client';
import { DEV_VARS, readVars } from './local-env';

function usage(): never {
  console.error('usage: npm run config:push -- <config.yaml> [--replace] [--url <gateway url>]');
  process.exit(2);
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
  const config: unknown = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  const { status, json } = await admin.request('POST', `/config/import${replace ? '?replace=true' : ''}`, JSON.stringify(config));
  if (status !== 200) throw new Error(`import refused (HTTP ${status}): ${errorMessage(json)}`);
  const result = json as { imported: { model_name: string; model_info: { id: string } }[]; ignored_sections: string[]; total_deployments: number };
  for (const d of result.imported) console.log(`  ✓ ${d.model_name} (id ${d.model_info.id})`);
  if (result.ignored_sections.length) console.log(`  ignored sections: ${result.ignored_sections.join(', ')}`);
  console.log(`${result.imported.length} deployment(s) imported${replace ? ' (replacing all others)' : ''}; ${result.total_deployments} in total.`);
}

main().catch((err: unknown) => {
  console.error(`config:push failed: ${(err as Error).message}`);
  process.exit(1);
});
