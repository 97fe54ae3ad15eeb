// Starts the vLLM simulator hub and ONE `wrangler dev` of the gateway for every e2e file, as a user would run it:
// real HTTP, local KV / Durable Objects persisted in a throwaway directory, offline.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startSimHub } from '../sim/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const READY_TIMEOUT_MS = 60_000;

/** A port nobody listens on right now (the OS picks it, then we let it go). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntilLive(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/health/liveliness`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`wrangler dev did not answer /health/liveliness within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** Kills wrangler and everything it started (workerd, esbuild): they share the process group we created. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(child, 'SIGTERM');
    await Promise.race([exited, sleep(5000)]);
  }
  killGroup(child, 'SIGKILL'); // workerd children that outlived wrangler, or a wrangler that ignored SIGTERM
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hub = await startSimHub();
  const persist = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const masterKey = `sk-e2e-master-${randomBytes(16).toString('hex')}`;
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const gatewayUrl = `http://127.0.0.1:${port}`;

  let log = '';
  const child = spawn(
    process.execPath,
    [
      WRANGLER, 'dev',
      '--port', String(port),
      '--ip', '127.0.0.1',
      '--inspector-port', String(inspectorPort),
      '--persist-to', persist,
      '--var', `MASTER_KEY:${masterKey}`,
      '--var', `HOSTED_VLLM_API_BASE:${hub.url}`,
      '--log-level', 'warn',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    },
  );
  const capture = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  // The test run never hangs on a crashed parent: the group dies with the runner.
  const onExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const teardown = async (): Promise<void> => {
    process.off('exit', onExit);
    await stopGroup(child);
    await hub.close();
    await rm(persist, { recursive: true, force: true });
  };

  try {
    await waitUntilLive(gatewayUrl, child, () => log.replace(masterKey, '<master key>'));
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('simUrl', hub.url);
  project.provide('gatewayUrl', gatewayUrl);
  project.provide('masterKey', masterKey);
  return teardown;
}

declare module 'vitest' {
  export interface ProvidedContext {
    simUrl: string;
    gatewayUrl: string;
    masterKey: string;
  }
}
