// `wrangler dev` of the gateway as a child process group (wrangler + workerd + esbuild): started, awaited until
// it answers, stopped politely or killed hard. Used by the e2e global setup and by tests that need their own.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const READY_TIMEOUT_MS = 60_000;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (the OS picks it, then we let it go). */
export function freePort(): Promise<number> {
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

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Live (non-zombie) processes of process group `pgid`, with their command names, read from /proc (Linux). */
export function groupMembers(pgid: number): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') found.push({ pid: Number(name), comm });
  }
  return found;
}

export interface WranglerOptions {
  port: number;
  inspectorPort: number;
  /** --persist-to: local KV, R2 and Durable Object storage (with their alarms). */
  persist: string;
  vars: Record<string, string>;
  /** Strings never shown in an error message (the master key). */
  redact?: string[];
}

export interface Wrangler {
  readonly url: string;
  readonly child: ChildProcess;
  /** The last 20 kB of its stdout + stderr, redacted. */
  output(): string;
  /** SIGTERM to the group, SIGKILL after 5 s and to anything that outlived wrangler. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once (a crash): resolves once no process of the group is left and the port is closed. */
  crash(): Promise<void>;
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

/** Starts `wrangler dev` in its own process group and waits until it answers; on failure nothing is left running. */
export async function startWrangler(options: WranglerOptions): Promise<Wrangler> {
  const url = `http://127.0.0.1:${options.port}`;
  const vars = Object.entries(options.vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const child = spawn(
    process.execPath,
    [
      WRANGLER, 'dev',
      '--port', String(options.port),
      '--ip', '127.0.0.1',
      '--inspector-port', String(options.inspectorPort),
      '--persist-to', options.persist,
      ...vars,
      '--log-level', 'warn',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    },
  );
  let log = '';
  const capture = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const output = (): string => (options.redact ?? []).reduce((text, secret) => text.replaceAll(secret, '<redacted>'), log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // The test run never hangs on a crashed parent: the group dies with the runner.
  const onExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    }
    // workerd children that outlived wrangler, or a wrangler that ignored SIGTERM. Not once the group is empty: its
    // id could by now belong to someone else's group.
    const running = child.exitCode === null && child.signalCode === null;
    if (child.pid !== undefined && (running || groupMembers(child.pid).length > 0)) killGroup(child, 'SIGKILL');
  };

  const crash = async (): Promise<void> => {
    process.off('exit', onExit);
    const pgid = child.pid;
    killGroup(child, 'SIGKILL');
    await exited;
    const deadline = Date.now() + 10_000;
    while (pgid !== undefined && groupMembers(pgid).length > 0) {
      if (Date.now() > deadline) throw new Error(`processes of group ${pgid} survived SIGKILL: ${JSON.stringify(groupMembers(pgid))}`);
      await sleep(50);
    }
    // A multi-threaded process's leader shows as a zombie while its other threads are still tearing down and
    // holding the listening socket, so the port may close a moment after the group looks empty.
    while (await isListening(options.port)) {
      if (Date.now() > deadline) throw new Error(`port ${options.port} still accepts connections after the kill`);
      await sleep(50);
    }
  };

  try {
    await waitUntilLive(url, child, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, child, output, stop, crash };
}
