// The gateway under `wrangler dev`, seen from outside: plain HTTP for the admin API, the openai SDK for the rest.
import OpenAI from 'openai';
import { inject } from 'vitest';
import { spawnSim, type SimConfigPatch, type SimHandle } from '../../helpers/sim';

export const gatewayUrl = (): string => inject('gatewayUrl');
export const masterKey = (): string => inject('masterKey');

/**
 * An SDK client for the gateway. `maxRetries: 0`: the SDK retries 429/5xx/connection errors by default, which
 * would hide what the gateway answered (and spend a key's rate limit behind the test's back).
 */
export function sdk(apiKey: string = masterKey()): OpenAI {
  return new OpenAI({ baseURL: `${gatewayUrl()}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });
}

export interface ApiInit {
  method?: string;
  /** Bearer key; the master key by default. */
  key?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

/** A raw request to the gateway (paths are absolute: `/key/generate`, `/v1/rerank`). */
export function api(path: string, init: ApiInit = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? masterKey()}`, ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${gatewayUrl()}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
}

/** An admin call that must succeed; its JSON answer. */
export async function admin<T>(path: string, init: ApiInit = {}): Promise<T> {
  const res = await api(path, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? (init.json === undefined ? 'GET' : 'POST')} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

let counter = 0;
/** Every e2e file shares one gateway: model groups and aliases must not collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${(counter++).toString(36)}`;
}

export interface Deployment {
  sim: SimHandle;
  group: string;
  id: string;
  served: string;
}

export interface DeploymentOptions {
  group?: string;
  served?: string;
  sim?: SimConfigPatch;
  /** Extra `model_info` (prices). */
  info?: Record<string, unknown>;
  /** Extra `litellm_params` (timeouts). */
  params?: Record<string, unknown>;
}

/** A fresh simulator instance registered through `POST /model/new` as a deployment of a new model group. */
export async function deploy(options: DeploymentOptions = {}): Promise<Deployment> {
  const served = options.served ?? 'sim-model';
  const sim = await spawnSim(inject('simUrl'), { models: [served], ...options.sim });
  const group = options.group ?? unique('e2e-group');
  const id = unique('e2e-dep');
  await admin('/model/new', {
    json: {
      model_name: group,
      litellm_params: { model: `hosted_vllm/${served}`, api_base: sim.url, ...options.params },
      model_info: { id, ...options.info },
    },
  });
  return { sim, group, id, served };
}

export interface GeneratedKey {
  key: string;
  token: string;
  models: string[];
  spend: number;
}

export function newKey(settings: Record<string, unknown> = {}): Promise<GeneratedKey> {
  return admin<GeneratedKey>('/key/generate', { json: settings });
}

/** Runs `fn`, which must throw; returns what it threw (so the test can assert its class and fields). */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, it succeeded');
}
