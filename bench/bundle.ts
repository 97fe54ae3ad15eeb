// Builds the Worker exactly as `wrangler deploy` would upload it, and measures what that upload weighs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { bundleParts, type BundlePart } from './bundle-parts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Bundle {
  scriptPath: string;
  rawKiB: number;
  /** Default zlib level (6), the same order of magnitude Cloudflare's compressed-size limit counts. */
  gzipKiB: number;
  /** Where the raw bytes come from, largest first. */
  parts: BundlePart[];
  /** Removes the build output (after workerd, which loads it, has stopped). */
  remove(): Promise<void>;
}

/**
 * `wrangler deploy --dry-run` bundles and stops before any network call; the fetch flag keeps it offline.
 * `minify: false` keeps function names for a CPU profile.
 */
export async function buildBundle(options: { minify?: boolean } = {}): Promise<Bundle> {
  const outdir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  const flags = options.minify === false ? ['--no-minify'] : [];
  await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', ...flags, '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  });
  const scriptPath = join(outdir, 'index.js');
  const code = await readFile(scriptPath);
  // wrangler writes the source map beside the bundle; without one there is just no breakdown.
  const map = await readFile(`${scriptPath}.map`, 'utf8').then(JSON.parse, () => undefined);
  return {
    scriptPath,
    rawKiB: code.byteLength / 1024,
    gzipKiB: gzipSync(code).byteLength / 1024,
    parts: map ? bundleParts(code.toString('utf8'), map) : [],
    remove: () => rm(outdir, { recursive: true, force: true }),
  };
}
