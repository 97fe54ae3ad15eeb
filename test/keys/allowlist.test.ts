import { describe, expect, it } from 'vitest';
import { makeWav } from '../helpers/audio';
import { call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';

async function keyFor(models: string[]): Promise<string> {
  const { body } = await callJson<{ key: string }>('/key/generate', { method: 'POST', json: { models } });
  return body.key;
}

function upload(model?: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([makeWav(0.2)]), 'a.wav');
  if (model) form.append('model', model);
  return form;
}

describe('model allowlist is checked against the group actually used', () => {
  it('allows its groups and refuses others with 403 key_model_access_denied, naming neither key nor allowlist', async () => {
    const allowed = await simDeployment();
    const other = await simDeployment();
    const key = await keyFor([allowed.group]);
    expect((await call('/v1/chat/completions', { method: 'POST', key, json: { model: allowed.group, messages: [{ role: 'user', content: 'x' }] } })).status).toBe(200);
    const denied = await callJson('/v1/chat/completions', { method: 'POST', key, json: { model: other.group, messages: [{ role: 'user', content: 'x' }] } });
    expect(denied.status).toBe(403);
    const error = expectEnvelope(denied.body);
    expect(error.type).toBe('key_model_access_denied');
    expect(error.message).not.toContain(allowed.group);
    expect(error.message).not.toContain(key);
    expect((await other.sim.log())).toHaveLength(0);
  });

  it('a deployment id resolves to its group: no bypass through model_info.id', async () => {
    const allowed = await simDeployment();
    const other = await simDeployment();
    const key = await keyFor([allowed.group]);
    expect((await call('/v1/embeddings', { method: 'POST', key, json: { model: allowed.id, input: 'x' } })).status).toBe(200);
    expect((await call('/v1/embeddings', { method: 'POST', key, json: { model: other.id, input: 'x' } })).status).toBe(403);
  });

  it('uploads: the model in ?model= or x-litellm-model is the one checked, whatever the form says', async () => {
    const allowed = await simDeployment();
    const other = await simDeployment();
    const key = await keyFor([allowed.group]);
    const path = '/v1/audio/transcriptions';
    expect((await call(path, { method: 'POST', key, body: upload(allowed.group) })).status).toBe(200);
    expect((await call(path, { method: 'POST', key, body: upload(other.group) })).status).toBe(403);
    expect((await call(`${path}?model=${other.group}`, { method: 'POST', key, body: upload(allowed.group) })).status).toBe(403);
    expect((await call(path, { method: 'POST', key, body: upload(allowed.group), headers: { 'x-litellm-model': other.group } })).status).toBe(403);
    expect(await other.sim.log()).toHaveLength(0);
  });

  it('/v1/models lists only what the key may use; an empty list means everything', async () => {
    const a = await simDeployment();
    const b = await simDeployment();
    const restricted = await keyFor([a.group]);
    const ids = async (key: string) => ((await callJson<{ data: { id: string }[] }>('/v1/models', { key })).body.data.map((m) => m.id));
    const seen = await ids(restricted);
    expect(seen).toContain(a.group);
    expect(seen).not.toContain(b.group);
    expect((await callJson(`/v1/models/${b.group}`, { key: restricted })).status).toBe(404);
    const open = await ids(await keyFor([]));
    expect(open).toEqual(expect.arrayContaining([a.group, b.group]));
  });
});
