// Seeds the `demo` model group and a demo key on a running gateway. Idempotent: safe on every start.
import { AdminClient } from './gateway-client';
import { DEMO_KEY_FILE, randomKey, readDemoKey, writePrivate } from './local-env';

/** The first model a real vLLM server serves, so `npm start` works against it without more configuration. */
export async function firstServedModel(base: string, apiKey: string | undefined): Promise<string> {
  const root = base.replace(/\/+$/, '').replace(/\/v1$/, '');
  const res = await fetch(`${root}/v1/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  if (!res.ok) throw new Error(`GET ${root}/v1/models → HTTP ${res.status}; is HOSTED_VLLM_API_BASE a vLLM server?`);
  const body = (await res.json()) as { data?: { id?: string }[] };
  const id = body.data?.[0]?.id;
  if (!id) throw new Error(`${root}/v1/models lists no model`);
  return id;
}

export async function seedDemo(admin: AdminClient, servedModel: string): Promise<string> {
  // No api_base: the deployment uses HOSTED_VLLM_API_BASE, so it follows whatever upstream `npm start` was given.
  // Through the config import, which replaces a deployment by id: /model/new refuses an id in use (409), and every
  // `npm start` seeds `demo` again, pointing it at this run's served model.
  await admin.post('/config/import', {
    model_list: [
      {
        model_name: 'demo',
        litellm_params: { model: `hosted_vllm/${servedModel}` },
        model_info: { id: 'demo', mode: 'chat', input_cost_per_token: 0.0000005, output_cost_per_token: 0.0000015 },
      },
    ],
  });
  const existing = readDemoKey();
  if (existing) {
    const { status } = await admin.request('GET', `/key/info?key=${encodeURIComponent(existing)}`);
    if (status === 200) return existing;
  }
  // A fresh key; an old `demo` alias left in persisted state from a deleted demo-key file is cleared first.
  await admin.request('POST', '/key/delete', JSON.stringify({ key_aliases: ['demo'] }));
  const key = randomKey('sk-demo-');
  await admin.post('/key/generate', { key, key_alias: 'demo', models: ['demo'], metadata: { created_by: 'npm start' } });
  writePrivate(DEMO_KEY_FILE, `${key}\n`);
  return key;
}
