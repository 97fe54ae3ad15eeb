// Seeds a fresh gateway through its admin API, as an operator would: one priced deployment, two virtual keys.
import { MASTER_KEY, SIM_MODEL } from './targets';

export const GROUP = 'bench';

export interface Seeded {
  /** A virtual key without limits: admission still makes the Durable Object round trip. */
  plainKey: string;
  /** A key whose budget and rpm limit are checked on every request but are far from being reached. */
  limitedKey: string;
}

export async function admin(gatewayUrl: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(gatewayUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seeding ${path} failed: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function newKey(gatewayUrl: string, limits: Record<string, number>): Promise<string> {
  const { key } = await admin(gatewayUrl, '/key/generate', limits);
  if (typeof key !== 'string' || !key.startsWith('sk-')) throw new Error(`/key/generate returned no key: ${String(key)}`);
  return key;
}

export async function seedGateway(gatewayUrl: string, simUrl: string): Promise<Seeded> {
  await admin(gatewayUrl, '/model/new', {
    model_name: GROUP,
    litellm_params: { model: `hosted_vllm/${SIM_MODEL}`, api_base: simUrl },
    // Pricing makes every request compute a worst-case reservation and a cost, as priced production traffic does.
    model_info: { id: 'bench-1', input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
  });
  return {
    plainKey: await newKey(gatewayUrl, {}),
    limitedKey: await newKey(gatewayUrl, { max_budget: 1e9, rpm_limit: 10_000_000 }),
  };
}
