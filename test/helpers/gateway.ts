// Drives the gateway Worker inside workerd, as a client would: real requests through its fetch handler, with the
// real local KV, R2 and Durable Objects behind it.
import { exports } from 'cloudflare:workers';
import { inject } from 'vitest';
import { spawnSim, type SimConfigPatch, type SimHandle } from './sim';

export const MASTER_KEY = 'sk-test-master';

export interface CallInit extends Omit<RequestInit, 'body'> {
  /** Sent as `Authorization: Bearer`; defaults to the master key, `null` sends none. */
  key?: string | null;
  json?: unknown;
  body?: BodyInit | null;
}

export function call(path: string, init: CallInit = {}): Promise<Response> {
  const { key = MASTER_KEY, json, headers, ...rest } = init;
  const h = new Headers(headers);
  if (key !== null) h.set('authorization', `Bearer ${key}`);
  let body = rest.body;
  if (json !== undefined) {
    h.set('content-type', h.get('content-type') ?? 'application/json');
    body = JSON.stringify(json);
  }
  return exports.default.fetch(new Request(`http://gateway.test${path}`, { ...rest, headers: h, body: body ?? null }));
}

export async function callJson<T = Record<string, unknown>>(path: string, init: CallInit = {}): Promise<{ status: number; body: T; res: Response }> {
  const res = await call(path, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res };
}

let counter = 0;
/** A name no other test uses: tests share one gateway, so every model group they create must be unique. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

export interface SimDeployment {
  sim: SimHandle;
  group: string;
  id: string;
}

/** Starts a simulator instance and registers it as a deployment of a (new, unless given) model group. */
export async function simDeployment(
  options: {
    group?: string;
    served?: string;
    sim?: SimConfigPatch;
    params?: Record<string, unknown>;
    info?: Record<string, unknown>;
  } = {},
): Promise<SimDeployment> {
  const served = options.served ?? 'sim-model';
  const sim = await spawnSim(inject('simUrl'), { models: [served], ...options.sim });
  const group = options.group ?? unique('group');
  const id = unique('dep');
  const res = await call('/model/new', {
    method: 'POST',
    json: {
      model_name: group,
      litellm_params: { model: `hosted_vllm/${served}`, api_base: sim.url, ...options.params },
      model_info: { id, ...options.info },
    },
  });
  if (res.status !== 200) throw new Error(`model/new failed: ${res.status} ${await res.text()}`);
  return { sim, group, id };
}

/** Reads a whole SSE body into its `data:` payloads. */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data:'))
    .map((e) => e.slice(5).trim());
}

export function expectEnvelope(body: unknown): { message: string; type: string; param: string | null; code: string } {
  const error = (body as { error?: unknown }).error as { message: string; type: string; param: string | null; code: string };
  if (!error || typeof error.message !== 'string' || typeof error.type !== 'string' || typeof error.code !== 'string') {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  }
  return error;
}
