import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';
import { batchLine, jsonl, uploadFile } from '../helpers/files';
import { newKey } from '../helpers/keys';

describe('/v1/files', () => {
  it('stores a batch file (model from header, query or form) and serves it back to its owner', async () => {
    const { group } = await simDeployment();
    const content = jsonl([batchLine('a'), batchLine('b')]);
    for (const via of ['header', 'query', 'form'] as const) {
      const { status, body } = await uploadFile(content, { purpose: 'batch', model: group, via });
      expect(status, via).toBe(200);
      expect(body).toMatchObject({ object: 'file', purpose: 'batch', filename: 'batch.jsonl', bytes: content.length });
      expect(body.id).toMatch(/^file-/);
      const decoded = atob(body.id.slice(5).replace(/-/g, '+').replace(/_/g, '/'));
      expect(decoded).toMatch(new RegExp(`^litellm:.+;model,${group}$`));
      const got = await callJson<{ id: string }>(`/v1/files/${body.id}`);
      expect(got.body.id).toBe(body.id);
      expect(await (await call(`/v1/files/${body.id}/content`)).text()).toBe(content);
    }
  });

  it('lists the caller\'s own files newest first, filters by purpose, paginates', async () => {
    const k = await newKey();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadFile(`doc ${i}`, { key: k.key, purpose: 'user_data', filename: `d${i}.txt` })).body.id);
    const list = await callJson<{ data: { id: string }[]; has_more: boolean }>('/v1/files', { key: k.key });
    expect(list.body.data.map((f) => f.id)).toEqual([...ids].reverse());
    const page1 = await callJson<{ data: { id: string }[]; has_more: boolean; last_id: string }>('/v1/files?limit=2', { key: k.key });
    expect(page1.body.has_more).toBe(true);
    const page2 = await callJson<{ data: { id: string }[]; has_more: boolean }>(`/v1/files?limit=2&after=${page1.body.last_id}`, { key: k.key });
    expect(page2.body.data.map((f) => f.id)).toEqual([ids[0]]);
    expect((await callJson<{ data: unknown[] }>('/v1/files?purpose=batch', { key: k.key })).body.data).toEqual([]);
  });

  it('another key, an edited id and a made-up id all get 404', async () => {
    const a = await newKey();
    const b = await newKey();
    const { body } = await uploadFile('secret', { key: a.key, purpose: 'user_data' });
    for (const path of [`/v1/files/${body.id}`, `/v1/files/${body.id}/content`]) {
      expect((await callJson(path, { key: b.key })).status).toBe(404);
    }
    expect((await callJson(`/v1/files/${body.id}`, { method: 'DELETE', key: b.key })).status).toBe(404);
    const decoded = atob(body.id.slice(5).replace(/-/g, '+').replace(/_/g, '/'));
    const forged = 'file-' + btoa(decoded.replace(/model,.*$/, 'model,other-model')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect((await callJson(`/v1/files/${forged}`, { key: a.key })).status).toBe(404);
    expect((await callJson('/v1/files/file-bm90LWFuLWlk', { key: a.key })).status).toBe(404);
    expect((await callJson('/v1/files/not-even-a-file-id', { key: a.key })).status).toBe(404);
    expect((await callJson(`/v1/files/${body.id}`, { key: a.key })).status).toBe(200);
    const del = await callJson<{ deleted: boolean }>(`/v1/files/${body.id}`, { method: 'DELETE', key: a.key });
    expect(del.body.deleted).toBe(true);
    expect((await callJson(`/v1/files/${body.id}`, { key: a.key })).status).toBe(404);
  });

  it('refuses a bad batch file with the line number and reason, and keeps nothing', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const enc = new TextEncoder();
    const bytes = (...parts: (string | number[])[]): Uint8Array =>
      new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));
    const cases: [string | Uint8Array, RegExp][] = [
      [jsonl([batchLine('a'), '{not json']), /line 2: is not valid JSON/],
      [bytes(jsonl([batchLine('a'), batchLine('b')]), '{"custom_id":"c', [0xff, 0xfe], '"}\n'), /line 3: is not valid UTF-8/],
      [bytes(jsonl([batchLine('a')]), 'x'.repeat(16 * 1048576 + 10)), /line 2: is longer than 16 MiB/],
      [jsonl([batchLine('a'), batchLine('b'), batchLine('a')]), /line 3: custom_id "a" is used twice \(first on line 1\)/],
      [jsonl([batchLine('a'), JSON.stringify({ custom_id: 'b', method: 'GET', url: '/v1/chat/completions', body: {} })]), /line 2: method must be "POST"/],
      [jsonl([batchLine('a'), JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/embeddings', body: { input: 'x' } })]), /line 2: url must be \/v1\/chat\/completions/],
      [jsonl([JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/images', body: {} })]), /line 1: url must be one of/],
      [jsonl([batchLine('a', 'x', { stream: true })]), /line 1: body.stream must not be true/],
      [jsonl([JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/completions', body: 'text' })]), /line 1: body must be a JSON object/],
      [jsonl([JSON.stringify({ method: 'POST', url: '/v1/completions', body: {} })]), /line 1: custom_id must be a non-empty string/],
      ['[1,2,3]\n', /line 1: must be a JSON object/],
      ['\n\n', /no requests/],
    ];
    for (const [content, message] of cases) {
      const { status, body } = await uploadFile(content, { key: k.key, purpose: 'batch', model: group });
      expect(status, String(content.slice(0, 60))).toBe(400);
      expect(expectEnvelope(body).message).toMatch(message);
    }
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: k.key })).body.data).toEqual([]);
  });

  it('a file whose only line is bad and has no final newline is refused for that line, not for holding no requests', async () => {
    const { group } = await simDeployment();
    const line = (fields: Record<string, unknown>) =>
      JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm' }, ...fields });
    const cases: [string, RegExp][] = [
      [line({ url: '/v1/rerank', body: { stream: true } }), /^Invalid batch file: line 1: url must be one of/],
      [line({ method: 'GET' }), /^Invalid batch file: line 1: method must be "POST"/],
      [line({ custom_id: 'x'.repeat(600) }), /^Invalid batch file: line 1: custom_id is longer than 512 characters/],
      [line({ body: { stream: true } }), /^Invalid batch file: line 1: body.stream must not be true/],
      ['{not json', /^Invalid batch file: line 1: is not valid JSON/],
    ];
    for (const [content, message] of cases) {
      const { status, body } = await uploadFile(content, { purpose: 'batch', model: group });
      expect(status, content.slice(0, 60)).toBe(400);
      expect(expectEnvelope(body).message, content.slice(0, 60)).toMatch(message);
    }
    // The Uploads API validates through the same sink.
    const [content, message] = cases[1]!;
    const up = await callJson<{ id: string }>('/v1/uploads', {
      method: 'POST',
      headers: { 'x-litellm-model': group },
      json: { filename: 'one.jsonl', purpose: 'batch', bytes: content.length, mime_type: 'application/jsonl' },
    });
    const form = new FormData();
    form.append('data', new Blob([content]));
    const part = await callJson<{ id: string }>(`/v1/uploads/${up.body.id}/parts`, { method: 'POST', body: form });
    const done = await callJson(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', json: { part_ids: [part.body.id] } });
    expect(done.status).toBe(400);
    expect(expectEnvelope(done.body).message).toMatch(message);
  });

  it('refuses missing purpose, unknown purpose, a batch without model, no file part, and a model the key may not use', async () => {
    const { group } = await simDeployment();
    const restricted = await newKey({ models: ['some-other-group'] });
    expect((await uploadFile('x', { purpose: undefined })).status).toBe(400);
    expect((await uploadFile('x', { purpose: 'batch_output' })).status).toBe(400);
    expect((await uploadFile(jsonl([batchLine('a')]), { purpose: 'batch' })).status).toBe(400);
    expect((await uploadFile(jsonl([batchLine('a')]), { purpose: 'batch', model: 'no-such-group' })).status).toBe(404);
    expect((await uploadFile(jsonl([batchLine('a')]), { key: restricted.key, purpose: 'batch', model: group })).status).toBe(403);
    expect((await uploadFile(jsonl([batchLine('a')]), { key: restricted.key, purpose: 'batch', model: group, via: 'form' })).status).toBe(403);
    const noFile = new FormData();
    noFile.append('purpose', 'batch');
    expect((await callJson('/v1/files', { method: 'POST', body: noFile })).status).toBe(400);
    expect((await callJson('/v1/files', { method: 'POST', json: { purpose: 'batch' } })).status).toBe(415);
  });

  it('streams a file larger than one R2 part through intact', async () => {
    const size = 20 * 1024 * 1024 + 12345;
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
    const { status, body } = await uploadFile(bytes, { purpose: 'user_data', filename: 'big.bin' });
    expect(status).toBe(200);
    expect(body.bytes).toBe(size);
    const download = await call(`/v1/files/${body.id}/content`);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    const back = new Uint8Array(await download.arrayBuffer());
    expect(back.length).toBe(size);
    const digest = async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', b)).join(',');
    expect(await digest(back)).toBe(await digest(bytes));
  });
});
