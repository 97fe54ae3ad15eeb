// Builds the Worker exactly as `wrangler deploy` would upload it, and measures what that upload weighs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundlePart {
  /** An npm package, `src` (the gateway's own code) or `(esbuild runtime)`. */
  name: string;
  rawKiB: number;
}

export interface Bundle {
  scriptPath: string;
  rawKiB: number;
  /** Default zlib level (6), the same order of magnitude Cloudflare's compressed-size limit counts. */
  gzipKiB: number;
  /** Where the raw bytes come from, largest first. */
  parts: BundlePart[];
}

/** `wrangler deploy --dry-run` bundles and stops before any network call; the fetch flag keeps it offline. */
export async function buildBundle(): Promise<Bundle> {
  const outdir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  await promisify(execFile)('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  });
  const scriptPath = join(outdir, 'index.js');
  const code = await readFile(scriptPath);
  return {
    scriptPath,
    rawKiB: code.byteLength / 1024,
    gzipKiB: gzipSync(code).byteLength / 1024,
    parts: breakdown(code.toString('utf8')),
  };
}

/**
 * esbuild starts each bundled module with a `// <path>` comment line; summing the bytes between those lines by
 * package tells which dependency the size comes from, without decoding the source map.
 */
function breakdown(code: string): BundlePart[] {
  const bytes = new Map<string, number>();
  let current = '(esbuild runtime)';
  for (const line of code.split('\n')) {
    const marker = /^\/\/ (\S+\.(?:[cm]?[jt]s))$/.exec(line);
    if (marker) current = packageOf(marker[1]!);
    bytes.set(current, (bytes.get(current) ?? 0) + Buffer.byteLength(line) + 1);
  }
  return [...bytes]
    .map(([name, size]) => ({ name, rawKiB: size / 1024 }))
    .sort((a, b) => b.rawKiB - a.rawKiB);
}

function packageOf(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (pkg) return pkg[1]!;
  return path.startsWith('src/') ? 'src' : path;
}
