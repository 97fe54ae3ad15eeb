// One simulated vLLM server: its own port, config, request log, and listening state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fullConfig, mergeConfig, parseConfigPatch } from './config';
import { handleControl, type ControlTarget, type InstancesControl } from './control';
import { dispatch, readBody, type DispatchTarget } from './dispatch';
import { RequestLog } from './log';
import { Reply } from './reply';
import type { SimConfig, SimConfigPatch, SimLogEntry } from './types';

export interface SimInstanceOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Serves `/_sim/instances…`; the hub gives it to every instance it starts. */
  instancesControl?: InstancesControl;
}

let lastId = 0;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export class SimInstance implements DispatchTarget, ControlTarget {
  readonly id = `sim-${++lastId}`;
  readonly requestLog = new RequestLog();
  private current: SimConfig;
  private readonly server: Server;
  private boundPort = 0;
  private closed = false;
  // Listener changes run one after another, so quick refuse/unrefuse toggles cannot interleave.
  private transition: Promise<void> = Promise.resolve();

  constructor(
    config: SimConfig,
    private readonly host: string,
    private readonly instancesControl?: InstancesControl,
  ) {
    this.current = config;
    this.server = createServer((req, res) => {
      // A bug in the simulator must fail that one request, never crash the test run.
      this.onRequest(req, res).catch((err: unknown) => {
        console.error('[vllm-sim] request failed:', err);
        res.destroy();
      });
    });
  }

  get config(): SimConfig {
    return this.current;
  }

  /** The live log: entries keep changing while their responses proceed. */
  get log(): SimLogEntry[] {
    return this.requestLog.entries;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** True while the listening socket is closed (`refuse`). */
  get refusing(): boolean {
    return !this.server.listening;
  }

  async start(port: number): Promise<void> {
    await listen(this.server, port, this.host);
    this.boundPort = (this.server.address() as AddressInfo).port;
    await this.syncListener();
  }

  applyPatch(patch: SimConfigPatch): SimConfig {
    this.current = mergeConfig(this.current, parseConfigPatch(patch));
    return this.current;
  }

  /** Merges `patch` (throws SimConfigError) and waits until the listener matches `refuse`. */
  async configure(patch: SimConfigPatch): Promise<SimConfig> {
    this.applyPatch(patch);
    await this.syncListener();
    return this.current;
  }

  takeFailNext(): boolean {
    if (this.current.failNext <= 0) return false;
    this.current = { ...this.current, failNext: this.current.failNext - 1 };
    return true;
  }

  clearLog(): void {
    this.requestLog.clear();
  }

  syncListener(): Promise<void> {
    this.transition = this.transition.then(async () => {
      if (this.closed) return;
      if (this.current.refuse && this.server.listening) {
        // Stops accepting at once; keep-alive connections are dropped too, so clients reconnect and get refused.
        this.server.close();
        this.server.closeIdleConnections();
      } else if (!this.current.refuse && !this.server.listening) {
        await listen(this.server, this.boundPort, this.host);
      }
    });
    return this.transition;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transition.catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (this.server.listening) this.server.close(() => resolve());
      else resolve();
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A refusing server must not keep serving reused keep-alive connections.
    res.on('finish', () => {
      if (this.refusing) res.socket?.end();
    });
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (url.pathname !== '/_sim' && !url.pathname.startsWith('/_sim/')) return dispatch(this, req, res, url);
    const reply = new Reply(res);
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    const segments = url.pathname.split('/').filter((s) => s.length > 0).slice(1);
    await handleControl(this, req.method ?? 'GET', segments, body, reply, this.instancesControl);
  }
}

/** Starts one simulated vLLM server. `config` is a patch over the defaults. */
export async function createSimInstance(config: SimConfigPatch = {}, opts: SimInstanceOptions = {}): Promise<SimInstance> {
  const instance = new SimInstance(fullConfig(config), opts.host ?? '127.0.0.1', opts.instancesControl);
  await instance.start(opts.port ?? 0);
  return instance;
}
