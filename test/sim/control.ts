// The `/_sim/*` control plane of one instance: config and log. Never logged, never authenticated.
import { SimConfigError, parseConfigPatch } from './config';
import type { RequestLog } from './log';
import type { Reply } from './reply';
import type { SimConfig, SimConfigPatch } from './types';

export interface ControlTarget {
  readonly config: SimConfig;
  readonly requestLog: RequestLog;
  /** Merges a checked patch synchronously. */
  applyPatch(patch: SimConfigPatch): SimConfig;
  /** Opens or closes the listening socket to match `config.refuse`. */
  syncListener(): Promise<void>;
}

/** Handles `/_sim/instances/…` (segments after "instances"); provided by the hub. */
export type InstancesControl = (method: string, segments: string[], body: Buffer, reply: Reply) => Promise<void>;

export function controlError(reply: Reply, status: number, message: string): void {
  reply.json(status, { error: message });
}

export function readPatch(body: Buffer): SimConfigPatch {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SimConfigError('config patch is not valid JSON');
  }
  return parseConfigPatch(parsed);
}

async function patchConfig(target: ControlTarget, body: Buffer, reply: Reply): Promise<void> {
  const config = target.applyPatch(readPatch(body));
  // Closing the listener leaves accepted connections alone, so this reply still gets through.
  await target.syncListener();
  reply.json(200, config, config.refuse ? { connection: 'close' } : {});
}

/** `segments` are the path parts after `_sim`. */
export async function handleControl(
  target: ControlTarget,
  method: string,
  segments: string[],
  body: Buffer,
  reply: Reply,
  instances?: InstancesControl,
): Promise<void> {
  const [head, ...rest] = segments;
  try {
    if (head === 'instances' && instances) return await instances(method, rest, body, reply);
    if (rest.length > 0) return controlError(reply, 404, 'unknown control route');
    if (head === 'config' && method === 'GET') return reply.json(200, target.config);
    if (head === 'config' && method === 'PATCH') return await patchConfig(target, body, reply);
    if (head === 'log' && method === 'GET') return reply.json(200, target.requestLog.entries);
    if (head === 'log' && method === 'DELETE') {
      target.requestLog.clear();
      return reply.send(204, '', null);
    }
    controlError(reply, 404, 'unknown control route');
  } catch (err) {
    if (err instanceof SimConfigError) return controlError(reply, 400, err.message);
    controlError(reply, 500, err instanceof Error ? err.message : String(err));
  }
}
