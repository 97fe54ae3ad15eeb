// model_info.id is a deployment's primary key (as in LiteLLM): /model/new never replaces one; LiteLLM's
// POST /model/update and PATCH /model/{model_id}/update change one, merged and validated like /model/new, whole or
// not at all. /v1/models/{id} answers for a deployment id as inference accepts it.
import { describe, expect, it } from 'vitest';
import { MASTER_KEY, call, callJson, expectEnvelope, simDeployment, unique } from '../helpers/gateway';
import { newKey } from '../helpers/keys';
import { buildApp } from '../../src/app';

interface Entry {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: Record<string, unknown> & { id: string };
}

async function info(id: string): Promise<Entry | undefined> {
  return (await callJson<{ data: Entry[] }>(`/model/info?litellm_model_id=${id}`)).body.data[0];
}

const newModel = (id: string, extra: Record<string, unknown> = {}) =>
  callJson<Entry & { model_id: string }>('/model/new', {
    method: 'POST',
    json: { model_name: unique('g'), litellm_params: { model: 'hosted_vllm/x', rpm: 5, ...extra }, model_info: { id, mode: 'chat', input_cost_per_token: 0.001 } },
  });

describe('/model/new with an id in use', () => {
  it('is a 409 naming the id, and the existing deployment is untouched', async () => {
    const id = unique('dup');
    expect((await newModel(id)).status).toBe(200);
    const before = await info(id);
    const again = await callJson('/model/new', {
      method: 'POST',
      json: { model_name: 'replacement', litellm_params: { model: 'hosted_vllm/other' }, model_info: { id } },
    });
    expect(again.status).toBe(409);
    const error = expectEnvelope(again.body);
    expect(error.param).toBe('model_info.id');
    expect(error.message).toContain(id);
    expect(await info(id)).toEqual(before);
  });
});

describe('POST /model/update and PATCH /model/{model_id}/update', () => {
  it('takes back what /model/info showed (created_at included) with one field changed: a read-modify-write', async () => {
    const id = unique('rmw');
    await newModel(id);
    const shown = (await info(id))!;
    const res = await callJson<Entry>('/model/update', {
      method: 'POST',
      json: { ...shown, model_info: { ...shown.model_info, input_cost_per_token: 0.004 } },
    });
    expect(res.status).toBe(200);
    expect(await info(id)).toEqual({ ...shown, model_info: { ...shown.model_info, input_cost_per_token: 0.004 } });
  });

  it('POST merges litellm_params and model_info into the deployment named by model_info.id; null removes a field', async () => {
    const id = unique('upd');
    const created = await newModel(id, { api_key: 'os.environ/SIM_UPSTREAM_KEY' });
    const res = await callJson<Entry & { model_id: string }>('/model/update', {
      method: 'POST',
      json: { litellm_params: { tpm: 100, rpm: null }, model_info: { id, output_cost_per_token: 0.002 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.model_id).toBe(id);
    const after = await info(id);
    expect(after).toEqual({
      model_name: created.body.model_name,
      litellm_params: { model: 'hosted_vllm/x', api_key: 'os.environ/SIM_UPSTREAM_KEY', tpm: 100 },
      model_info: { id, mode: 'chat', input_cost_per_token: 0.001, output_cost_per_token: 0.002, created_at: created.body.model_info.created_at },
    });
    expect(res.body).toEqual({ model_id: id, ...after });
  });

  it('PATCH renames and merges; the updated deployment serves the next request in its new group', async () => {
    const d = await simDeployment({ info: { input_cost_per_token: 0.001 } });
    const renamed = unique('renamed');
    const res = await callJson<Entry>(`/model/${d.id}/update`, {
      method: 'PATCH',
      json: { model_name: renamed, model_info: { output_cost_per_token: 0.003 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_name: renamed, model_info: { id: d.id, input_cost_per_token: 0.001, output_cost_per_token: 0.003 } });
    const chat = (model: string) => call('/v1/chat/completions', { method: 'POST', json: { model, messages: [{ role: 'user', content: 'hi' }] } });
    expect((await chat(renamed)).status).toBe(200);
    expect((await chat(d.group)).status).toBe(404);
  });

  it('validates like /model/new and applies nothing when any part is wrong', async () => {
    const id = unique('bad');
    await newModel(id);
    const before = await info(id);
    const cases: [string, 'POST' | 'PATCH', unknown, number, RegExp, string | null][] = [
      ['/model/update', 'POST', { litellm_params: { rpm: 1 } }, 400, /model_info\.id.*required/, 'model_info.id'],
      ['/model/update', 'POST', { litellm_params: { tpm: 9 }, model_info: { id, input_cost_per_token: -1 } }, 400, /input_cost_per_token/, 'model_info.input_cost_per_token'],
      ['/model/update', 'POST', { litellm_params: { tpm: 9, api_key: 'os.environ/MASTER_KEY' }, model_info: { id } }, 400, /api_key.*MASTER_KEY/, 'litellm_params.api_key'],
      ['/model/update', 'POST', { litellm_params: { tpm: 9, api_key: MASTER_KEY }, model_info: { id } }, 400, /must not be the master key/, 'litellm_params.api_key'],
      ['/model/update', 'POST', { litellm_params: { api_base: 'https://h.example/v1?token=x' }, model_info: { id } }, 400, /api_base.*query/, 'litellm_params.api_base'],
      ['/model/update', 'POST', { litellm_params: { tpm: 9, max_retriez: 1 }, model_info: { id } }, 400, /max_retriez/, 'litellm_params.max_retriez'],
      ['/model/update', 'POST', { litellm_params: { model: null }, model_info: { id } }, 400, /litellm_params\.model/, 'litellm_params.model'],
      ['/model/update', 'POST', { litellm_params: { api_key: '[redacted]' }, model_info: { id } }, 400, /\[redacted\].*omit/, 'litellm_params.api_key'],
      ['/model/update', 'POST', { colour: 'red', model_info: { id } }, 400, /colour/, 'colour'],
      [`/model/${id}/update`, 'PATCH', { model_name: '' }, 400, /model_name/, 'model_name'],
      [`/model/${id}/update`, 'PATCH', { model_info: { id: 'other-id' } }, 400, /other-id.*cannot change/, 'model_info.id'],
      [`/model/${id}/update`, 'PATCH', { model_info: { created_at: 'x' } }, 400, /created_at/, 'model_info.created_at'],
      ['/model/update', 'POST', { litellm_params: { tpm: 1 }, model_info: { id: 'no-such-deployment' } }, 404, /no-such-deployment/, 'model_info.id'],
      ['/model/no-such-deployment/update', 'PATCH', { litellm_params: { tpm: 1 } }, 404, /no-such-deployment/, 'model_info.id'],
    ];
    for (const [path, method, json, status, message, param] of cases) {
      const res = await callJson(path, { method, json });
      const label = `${method} ${path} ${JSON.stringify(json)}`;
      expect(res.status, label).toBe(status);
      const error = expectEnvelope(res.body);
      expect(error.message, label).toMatch(message);
      expect(error.param, label).toBe(param);
    }
    expect(await info(id)).toEqual(before);
  });

  it('needs the master key', async () => {
    const id = unique('auth');
    await newModel(id);
    const k = await newKey();
    for (const [path, method] of [['/model/update', 'POST'], [`/model/${id}/update`, 'PATCH']] as const) {
      const res = await callJson(path, { method, key: k.key, json: { litellm_params: { tpm: 1 }, model_info: { id } } });
      expect(res.status, path).toBeGreaterThanOrEqual(401);
      expect(res.status, path).toBeLessThanOrEqual(403);
    }
    expect((await info(id))!.litellm_params.tpm).toBeUndefined();
  });

  it('keeps every route on Hono\'s RegExpRouter', async () => {
    const app = buildApp() as unknown as { router: { activeRouter?: { name: string } }; fetch: (r: Request, env: unknown) => Promise<Response> };
    await app.fetch(new Request('http://x/health/liveliness'), {});
    expect(app.router.activeRouter?.name).toBe('RegExpRouter');
  });
});

describe('GET /v1/models/{id} with a deployment id', () => {
  it('answers the model object for callers that may use its group, 404 for others', async () => {
    const d = await simDeployment();
    const viaId = await callJson<{ id: string; object: string; created: number; owned_by: string }>(`/v1/models/${d.id}`);
    expect(viaId.status).toBe(200);
    expect(viaId.body).toMatchObject({ id: d.id, object: 'model', owned_by: 'openai' });
    expect(viaId.body.created).toBeGreaterThan(0);
    const allowed = await newKey({ models: [d.group] });
    const denied = await newKey({ models: ['some-other-group'] });
    expect((await callJson(`/models/${d.id}`, { key: allowed.key })).status).toBe(200);
    expect((await callJson(`/v1/models/${d.id}`, { key: denied.key })).status).toBe(404);
    expect((await callJson(`/v1/models/${unique('nothing')}`)).status).toBe(404);
  });
});
