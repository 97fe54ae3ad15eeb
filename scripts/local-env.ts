// Local development files: the master key in .dev.vars (wrangler's own file for local secrets) and the
// demo key, both created on first start and reused afterwards. Never used by a deployed Worker.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEV_VARS = '.dev.vars';
export const DEMO_KEY_FILE = '.wrangler/demo-key';

export function randomKey(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export function readVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

/** Writes a file readable only by its owner: these files hold keys. */
export function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The local master key: read from .dev.vars, or generated and appended there on first start. */
export function ensureMasterKey(): string {
  const existing = readVars(DEV_VARS).MASTER_KEY;
  if (existing) return existing;
  const key = randomKey('sk-master-');
  const before = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8') : '';
  const separator = before && !before.endsWith('\n') ? '\n' : '';
  writePrivate(DEV_VARS, `${before}${separator}# Local development only; deployed Workers use \`wrangler secret put MASTER_KEY\`.\nMASTER_KEY=${key}\n`);
  return key;
}

export function readDemoKey(): string | undefined {
  return existsSync(DEMO_KEY_FILE) ? readFileSync(DEMO_KEY_FILE, 'utf8').trim() || undefined : undefined;
}
