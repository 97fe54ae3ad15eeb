// Starts what the benchmark measures: the vLLM simulator (a child process) and two Workers in workerd via Miniflare.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from 'wrangler';
import { childPids } from './cpu';
import { LogTally } from './log-tally';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SIM_MODEL = 'bench-model';
export const MASTER_KEY = 'sk-bench-master';
/**
 * Shared by both Workers, so workerd runs them alike. `stripCfConnectingIp: false` drops a JS Worker Miniflare puts
 * in front of every outbound fetch (it only removes a header production never has): it cost ~250 µs of workerd CPU
 * per subrequest here, a third of the passthrough's total, which would hide the gateway's own cost in the ratio.
 */
const COMMON = {
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['enable_request_signal'],
  stripCfConnectingIp: false,
  port: 0,
};

export interface Running {
  url: string;
  /** The processes doing this target's work, for CPU accounting. */
  pids: number[];
  /** What the process printed (workerd only). */
  logs?: LogTally;
  close(): Promise<void>;
}

/**
 * The simulator runs in its own process rather than in this one: in-process it shares one event loop (one core) with
 * the load generator, which then caps the direct baseline (measured on 2 cores: ~2.4k req/s in-process vs ~5.1k as a
 * child). As a separate process it gets the other core, like a real upstream on its own machine.
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
  // Backstop for an abrupt exit of this process (process.exit, uncaught error): never leave the simulator running.
  process.once('exit', () => child.kill('SIGTERM'));
  return { url, pids: child.pid === undefined ? [] : [child.pid], close: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function startWorkerd(
  options: ConstructorParameters<typeof Miniflare>[0],
  cleanup?: () => Promise<void>,
): Promise<Running> {
  const before = childPids();
  const logs = new LogTally();
  const mf = new Miniflare({ ...options, handleRuntimeStdio: logs.capture });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, '');
    // Miniflare does not expose its workerd's pid: it is the child process that appeared meanwhile.
    const pids = [...childPids()].filter((pid) => !before.has(pid));
    return { url, pids, logs, close: () => mf.dispose().finally(cleanup) };
  } catch (err) {
    // A runtime that failed to start still holds a child process; left alone it keeps this process from exiting.
    await mf.dispose().catch(() => undefined);
    for (const { line } of logs.top(20)) console.error(`workerd: ${line}`);
    await cleanup?.();
    throw err;
  }
}

/** A baseline Worker from bench/ in front of the simulator, with the options both baselines share. */
function startBaseline(file: string, simUrl: string, extra: { durableObjects?: Record<string, string> } = {}): Promise<Running> {
  return startWorkerd({
    ...COMMON,
    modules: true,
    scriptPath: fileURLToPath(new URL(file, import.meta.url)),
    bindings: { UPSTREAM_URL: simUrl },
    ...extra,
  });
}

/** The floor for any Worker in front of the simulator: Miniflare's entry, workerd, one subrequest, no logic. */
export function startPassthrough(simUrl: string): Promise<Running> {
  return startBaseline('passthrough-worker.js', simUrl);
}

/** The pass-through plus one empty Durable Object RPC per request (floor-worker.js): the cost of asking at all. */
export function startFloor(simUrl: string): Promise<Running> {
  return startBaseline('floor-worker.js', simUrl, { durableObjects: { FLOOR: 'Floor' } });
}

/**
 * The gateway as built by `wrangler deploy` (so it is the code that would ship), with the bindings wrangler.toml
 * declares (KV, R2, Durable Objects with SQLite) in Miniflare's in-memory storage, plus the two secrets the bench needs.
 * Plain variables are the wrangler.toml `[vars]` only: a developer's .dev.vars must not change what is measured
 * (wrangler merges it in, and says so; WRANGLER_LOG=warn keeps that misleading line out of the report).
 */
export async function startGateway(
  scriptPath: string,
  simUrl: string,
  extra: { inspectorPort?: number } = {},
): Promise<Running> {
  process.env.WRANGLER_LOG ??= 'warn';
  const config = unstable_readConfig({ config: `${ROOT}wrangler.toml` });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const doStorage = await memoryDir();
  return startWorkerd(
    {
      ...workerOptions,
      ...COMMON,
      modules: true,
      scriptPath,
      // Module names are paths relative to modulesRoot; the bundle lives in a temp dir outside the project.
      modulesRoot: dirname(scriptPath),
      bindings: { ...config.vars, MASTER_KEY, HOSTED_VLLM_API_BASE: simUrl },
      ...(doStorage ? { durableObjectsPersist: doStorage } : {}),
      ...extra,
    },
    doStorage ? () => rm(doStorage, { recursive: true, force: true }) : undefined,
  );
}

/**
 * SQLite-backed Durable Objects cannot be ephemeral in Miniflare; unpersisted, they live in a temp dir on disk,
 * where every ledger write waits for the file system (measured here: ~570 req/s on ext4 vs ~700 on tmpfs for the
 * master key). A tmpfs directory keeps them in memory, closer to production, where storage is not a local disk.
 */
async function memoryDir(): Promise<string | undefined> {
  return existsSync('/dev/shm') ? mkdtemp('/dev/shm/gateway-bench-do-') : undefined;
}
