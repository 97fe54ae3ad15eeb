import { describe, expect, it, inject } from 'vitest';
import { MASTER_KEY, call, callJson, expectEnvelope, simDeployment, unique } from '../helpers/gateway';
import { spawnSim } from '../helpers/sim';

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

interface ModelInfoEntry {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: { id: string };
}

describe('/model/new, /model/info, /model/delete', () => {
  it('adds a deployment that serves the next request, redacts literal keys, and deletes it', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['m'], apiKey: 'literal-upstream-key' });
    const group = unique('g');
    const created = await callJson<{ model_id: string; litellm_params: { api_key: string } }>('/model/new', {
      method: 'POST',
      json: { model_name: group, litellm_params: { model: 'hosted_vllm/m', api_base: `${sim.url}/v1/`, api_key: 'literal-upstream-key' } },
    });
    expect(created.status).toBe(200);
    expect(created.body.model_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(created.body)).not.toContain('literal-upstream-key');
    // api_base given with a trailing /v1/ still reaches /v1/chat/completions once.
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(200);
    expect((await sim.log())[0]!.path).toBe('/v1/chat/completions');

    const info = await callJson<{ data: ModelInfoEntry[] }>('/model/info');
    const mine = info.body.data.find((d) => d.model_name === group)!;
    expect(mine.litellm_params.api_key).toBe('[redacted]');
    expect(JSON.stringify(info.body)).not.toContain('literal-upstream-key');

    const del = await callJson<{ message: string }>('/model/delete', { method: 'POST', json: { id: created.body.model_id } });
    expect(del.status).toBe(200);
    expect((await callJson('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(404);
    expect((await callJson('/model/delete', { method: 'POST', json: { id: created.body.model_id } })).status).toBe(404);
  });

  it('never shows credentials written into api_base', async () => {
    const group = unique('creds');
    await call('/model/new', {
      method: 'POST',
      json: { model_name: group, litellm_params: { model: 'hosted_vllm/x', api_base: 'https://ops:hunter2@vllm.example.com/v1' } },
    });
    const text = await (await call('/model/info')).text();
    expect(text).not.toContain('hunter2');
    expect(text).toContain('vllm.example.com');
  });

  it('uses HOSTED_VLLM_API_BASE when a hosted_vllm deployment has no api_base, and sends no Authorization without a key', async () => {
    const group = unique('default-base');
    // The test env points HOSTED_VLLM_API_BASE at the simulator hub, which serves "sim-model".
    await call('/model/new', { method: 'POST', json: { model_name: group, litellm_params: { model: 'hosted_vllm/sim-model' } } });
    const { status, body } = await callJson<{ model: string }>('/v1/chat/completions', { method: 'POST', json: chat(group) });
    expect(status).toBe(200);
    expect(body.model).toBe('sim-model');
  });

  it('refuses invalid deployments with a message naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ litellm_params: { model: 'hosted_vllm/x' } }, /model_name/],
      [{ model_name: 'a', litellm_params: { model: 'anthropic/claude' } }, /litellm_params\.model/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_base: 'ftp://x' } }, /api_base/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', timeout: -1 } }, /timeout/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', max_retriez: 1 } }, /max_retriez/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x' }, model_info: { id: 'bad id!' } }, /model_info\.id/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x' }, model_info: { input_cost_per_token: -1 } }, /input_cost_per_token/],
      // A price so large that costs become Infinity: no budget or spend log could hold them.
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x' }, model_info: { output_cost_per_token: 1e308 } }, /output_cost_per_token.*at most 1000/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', input_cost_per_second: 1e6 } }, /input_cost_per_second/],
      // The master key would go upstream as a Bearer token.
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_key: 'os.environ/MASTER_KEY' } }, /api_key.*MASTER_KEY/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_key: MASTER_KEY } }, /api_key must not be the master key/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_key: `Bearer ${MASTER_KEY}` } }, /api_key must not be the master key/],
      // Request paths are appended to api_base: after a query or fragment they never reach vLLM's routes.
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_base: 'https://vllm.example.com/v1?token=s3cret' } }, /api_base.*query/],
      [{ model_name: 'a', litellm_params: { model: 'hosted_vllm/x', api_base: 'https://vllm.example.com/v1#s3cret' } }, /api_base.*fragment/],
      // The group name goes back in x-litellm-model-group: a line break there made every answer of the group a 500.
      [{ model_name: 'crlf\r\nSet-Cookie: a=1', litellm_params: { model: 'hosted_vllm/x' } }, /model_name.*control characters/],
    ];
    for (const [json, message] of cases) {
      const { status, body } = await callJson('/model/new', { method: 'POST', json });
      expect(status, JSON.stringify(json)).toBe(400);
      expect(expectEnvelope(body).message).toMatch(message);
      expect(JSON.stringify(body)).not.toContain(MASTER_KEY);
    }
  });
});

describe('LiteLLM config.yaml import', () => {
  it('imports model_list and router_settings, keeping os.environ references unresolved', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['llama'], apiKey: 'upstream-secret-value' });
    const group = unique('yaml');
    const yaml = `
model_list:
  - model_name: ${group}
    litellm_params:
      model: hosted_vllm/llama
      api_base: ${sim.url}/v1
      api_key: os.environ/SIM_UPSTREAM_KEY
      rpm: 100
    model_info:
      input_cost_per_token: 0.000001
litellm_settings:
  drop_params: true
general_settings:
  master_key: sk-should-be-ignored
`;
    const res = await callJson<{ imported: ModelInfoEntry[]; ignored_sections: string[] }>('/config/import', {
      method: 'POST',
      body: yaml,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(res.status).toBe(200);
    expect(res.body.imported).toHaveLength(1);
    expect(res.body.imported[0]!.litellm_params.api_key).toBe('os.environ/SIM_UPSTREAM_KEY');
    expect(res.body.ignored_sections.sort()).toEqual(['general_settings', 'litellm_settings']);
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(200);
    expect((await sim.log())[0]!.headers.authorization).toBe('Bearer upstream-secret-value');

    // Importing the same file again updates the same deployment instead of adding a copy.
    await call('/config/import', { method: 'POST', body: yaml, headers: { 'content-type': 'application/yaml' } });
    const info = await callJson<{ data: ModelInfoEntry[] }>('/model/info');
    expect(info.body.data.filter((d) => d.model_name === group)).toHaveLength(1);
  });

  it('rejects a config with one bad entry naming it, and imports nothing', async () => {
    const good = unique('good');
    const yaml = `
model_list:
  - model_name: ${good}
    litellm_params: { model: hosted_vllm/a, api_base: "http://127.0.0.1:9" }
  - model_name: broken-entry
    litellm_params: { model: hosted_vllm/b, rpm: "lots" }
`;
    const res = await callJson('/config/import', { method: 'POST', body: yaml, headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body).message).toMatch(/model_list\[1\] \(model_name "broken-entry"\)\.litellm_params\.rpm/);
    const info = await callJson<{ data: ModelInfoEntry[] }>('/model/info');
    expect(info.body.data.some((d) => d.model_name === good)).toBe(false);
  });

  it('refuses YAML that does not parse, a body that is not a mapping, and an unknown content type', async () => {
    const yaml = { 'content-type': 'application/yaml' };
    expect((await callJson('/config/import', { method: 'POST', body: 'model_list: [\n  - {', headers: yaml })).status).toBe(400);
    expect((await callJson('/config/import', { method: 'POST', body: '- a\n- b\n', headers: yaml })).status).toBe(400);
    expect((await callJson('/config/import', { method: 'POST', body: 'x', headers: { 'content-type': 'image/png' } })).status).toBe(415);
    const badRouter = 'model_list: []\nrouter_settings:\n  routing_strategy: fastest-please\n';
    const r = await callJson('/config/import', { method: 'POST', body: badRouter, headers: yaml });
    expect(r.status).toBe(400);
    expect(expectEnvelope(r.body).message).toMatch(/router_settings\.routing_strategy/);
  });

  it('accepts the same structure as JSON', async () => {
    const group = unique('json-config');
    const res = await callJson('/config/import', {
      method: 'POST',
      json: { model_list: [{ model_name: group, litellm_params: { model: 'hosted_vllm/sim-model' } }] },
    });
    expect(res.status).toBe(200);
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(200);
  });
});

describe('deployment changes are visible to the next request in this isolate', () => {
  it('serves a new group immediately and stops serving a deleted one immediately', async () => {
    const { group, id } = await simDeployment();
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(200);
    await call('/model/delete', { method: 'POST', json: { id } });
    expect((await call('/v1/chat/completions', { method: 'POST', json: chat(group) })).status).toBe(404);
  });
});
