// Starts what the benchmark measures: the vLLM simulator (a child process) and two Workers in workerd via Miniflare.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SIM_MODEL = 'bench-model';
export const MASTER_KEY = 'sk-bench-master';
/** Same date and flags for both Workers, so workerd runs them under identical semantics. */
const COMPAT = { compatibilityDate: '2026-04-01', compatibilityFlags: ['enable_request_signal'] };

export interface Running {
  url: string;
  close(): Promise<void>;
}

/**
 * The simulator runs in its own process rather than in this one: in-process it shares the event loop (and so one
 * core) with the load generator, and at 32 connections the two together saturate that loop, which caps the direct
 * baseline at the generator's own speed (measured here: child process ≈ 1.4× the in-process direct req/s on 2 cores).
 * As a separate process the OS can schedule it on the other core, like a real upstream on its own machine.
 */
export async function startSim(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/sim/cli.ts', '--port', '0', '--model', SIM_MODEL], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited early (code ${code})`)));
  });
  return { url, close: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function startWorkerd(options: ConstructorParameters<typeof Miniflare>[0]): Promise<Running> {
  const mf = new Miniflare(options);
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, close: () => mf.dispose() };
}

/** The floor for any Worker in front of the simulator: Miniflare's entry, workerd, one subrequest, no logic. */
export function startPassthrough(simUrl: string): Promise<Running> {
  return startWorkerd({
    ...COMPAT,
    modules: true,
    scriptPath: fileURLToPath(new URL('passthrough-worker.js', import.meta.url)),
    bindings: { UPSTREAM_URL: simUrl },
    port: 0,
  });
}

/**
 * The gateway as built by `wrangler deploy` (so it is the code that would ship), with the bindings wrangler.toml
 * declares (KV, R2, Durable Objects with SQLite) in Miniflare's in-memory storage, plus the two secrets the bench needs.
 */
export function startGateway(scriptPath: string, simUrl: string): Promise<Running> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${ROOT}wrangler.toml`);
  return startWorkerd({
    ...workerOptions,
    ...COMPAT,
    modules: true,
    scriptPath,
    bindings: { ...workerOptions.bindings, MASTER_KEY, HOSTED_VLLM_API_BASE: simUrl },
    port: 0,
  });
}
