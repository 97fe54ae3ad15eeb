import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment } from '../helpers/gateway';
import { batchLine, jsonl } from '../helpers/files';
import { newKey } from '../helpers/keys';
import { createBatch, waitForBatch } from '../helpers/batches';
import { decodeId } from '../../src/files/ids';

interface Upload {
  id: string;
  object: string;
  status: string;
  bytes: number;
  file: { id: string; bytes: number; purpose: string } | null;
}

async function createUpload(json: Record<string, unknown>, opts: { key?: string; model?: string } = {}) {
  return callJson<Upload>('/v1/uploads', {
    method: 'POST',
    json,
    ...(opts.key ? { key: opts.key } : {}),
    ...(opts.model ? { headers: { 'x-litellm-model': opts.model } } : {}),
  });
}

async function addPart(id: string, data: string | Uint8Array, key?: string) {
  const form = new FormData();
  form.append('data', new Blob([data]));
  return callJson<{ id: string; object: string; upload_id: string }>(`/v1/uploads/${id}/parts`, {
    method: 'POST',
    body: form,
    ...(key ? { key } : {}),
  });
}

describe('/v1/uploads', () => {
  it('assembles parts in the listed order into a file, and validates a batch file', async () => {
    const { group } = await simDeployment();
    const lines = [batchLine('a'), batchLine('b'), batchLine('c')];
    const whole = jsonl(lines);
    const cut = whole.indexOf('\n', 10) + 5; // split inside a line: parts need not end on line breaks
    const created = await createUpload(
      { filename: 'big.jsonl', purpose: 'batch', bytes: whole.length, mime_type: 'application/jsonl' },
      { model: group },
    );
    expect(created.body).toMatchObject({ object: 'upload', status: 'pending', bytes: whole.length, file: null });
    const second = await addPart(created.body.id, whole.slice(cut));
    const first = await addPart(created.body.id, whole.slice(0, cut));
    expect(first.body).toMatchObject({ object: 'upload.part', upload_id: created.body.id });
    const done = await callJson<Upload>(`/v1/uploads/${created.body.id}/complete`, {
      method: 'POST',
      json: { part_ids: [first.body.id, second.body.id] },
    });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect(done.body.file).toMatchObject({ bytes: whole.length, purpose: 'batch' });
    expect(await (await call(`/v1/files/${done.body.file!.id}/content`)).text()).toBe(whole);
    // A completed upload takes no more parts.
    expect((await addPart(created.body.id, 'x')).status).toBe(400);
  });

  it('completes an upload of more than 1,000 parts (the part listing is paged)', { timeout: 60_000 }, async () => {
    const PARTS = 1005;
    const created = await createUpload({ filename: 'many.txt', purpose: 'user_data', bytes: PARTS * 4, mime_type: 'text/plain' });
    const ids: string[] = [];
    for (let i = 0; i < PARTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, PARTS - i) }, (_, j) => addPart(created.body.id, String(i + j).padStart(4, '0'))),
      );
      ids.push(...batch.map((r) => r.body.id));
    }
    const done = await callJson<Upload>(`/v1/uploads/${created.body.id}/complete`, { method: 'POST', json: { part_ids: ids } });
    expect(done.status).toBe(200);
    const content = await (await call(`/v1/files/${done.body.file!.id}/content`)).text();
    expect(content).toBe(Array.from({ length: PARTS }, (_, i) => String(i).padStart(4, '0')).join(''));
  });

  it('refuses a size mismatch and an invalid batch with the line number, keeping nothing', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const bad = jsonl([batchLine('a'), batchLine('a')]);
    const up = await createUpload({ filename: 'x.jsonl', purpose: 'batch', bytes: bad.length, mime_type: 'application/jsonl' }, { key: k.key, model: group });
    const part = await addPart(up.body.id, bad, k.key);
    const res = await callJson(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', key: k.key, json: { part_ids: [part.body.id] } });
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body).message).toMatch(/line 2: custom_id "a" is used twice/);

    const wrong = await createUpload({ filename: 'y.txt', purpose: 'user_data', bytes: 999, mime_type: 'text/plain' }, { key: k.key });
    const p2 = await addPart(wrong.body.id, 'only a few bytes', k.key);
    const mismatch = await callJson(`/v1/uploads/${wrong.body.id}/complete`, { method: 'POST', key: k.key, json: { part_ids: [p2.body.id] } });
    expect(mismatch.status).toBe(400);
    expect(expectEnvelope(mismatch.body).param).toBe('bytes');
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: k.key })).body.data).toEqual([]);
  });

  it('refuses a part over 64 MiB (413) and keeps the upload usable', { timeout: 60_000 }, async () => {
    const size = 64 * 1024 * 1024;
    const up = await createUpload({ filename: 'p.bin', purpose: 'user_data', bytes: size + 1, mime_type: 'application/octet-stream' });
    const tooBig = await addPart(up.body.id, new Uint8Array(size + 1));
    expect(tooBig.status).toBe(413);
    expect(expectEnvelope(tooBig.body).message).toMatch(/at most 64 MiB/);
    // Exactly at the cap is a part.
    const atCap = await addPart(up.body.id, new Uint8Array(size));
    expect(atCap.status).toBe(200);
    const rest = await addPart(up.body.id, new Uint8Array(1));
    const done = await callJson<Upload>(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', json: { part_ids: [atCap.body.id, rest.body.id] } });
    expect(done.status).toBe(200);
    expect(done.body.file?.bytes).toBe(size + 1);
  });

  it('cancel, unknown parts, other keys and bad bodies', async () => {
    const a = await newKey();
    const b = await newKey();
    const up = await createUpload({ filename: 'z.txt', purpose: 'user_data', bytes: 3, mime_type: 'text/plain' }, { key: a.key });
    expect((await addPart(up.body.id, 'abc', b.key)).status).toBe(404);
    expect((await callJson(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', key: a.key, json: { part_ids: ['part_nope'] } })).status).toBe(400);
    // Completing reads each part (one subrequest each): more than 5,000 is refused up front, saying why.
    const many = Array.from({ length: 5001 }, (_, i) => `part_${i}`);
    const tooMany = await callJson(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', key: a.key, json: { part_ids: many } });
    expect(tooMany.status).toBe(400);
    expect(expectEnvelope(tooMany.body)).toMatchObject({ param: 'part_ids' });
    expect(expectEnvelope(tooMany.body).message).toMatch(/at most 5000 parts/);
    const cancelled = await callJson<Upload>(`/v1/uploads/${up.body.id}/cancel`, { method: 'POST', key: a.key });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await addPart(up.body.id, 'abc', a.key)).status).toBe(400);
    expect((await createUpload({ filename: 'q', purpose: 'batch', bytes: 1, mime_type: 'x' }, { key: a.key, model: 'no-such-group' })).status).toBe(404);
    expect((await createUpload({ filename: 'q', purpose: 'nope', bytes: 1, mime_type: 'x' }, { key: a.key })).status).toBe(400);
    expect((await createUpload({ filename: 'q', purpose: 'user_data', bytes: -1, mime_type: 'x' }, { key: a.key })).status).toBe(400);
  });

  it('a batch upload that names no model takes the one every line names, as the OpenAI SDK sends it', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const whole = jsonl([batchLine('a', 'hi', { model: group }), batchLine('b', 'there', { model: group })]);
    const up = await createUpload({ filename: 'sdk.jsonl', purpose: 'batch', bytes: whole.length, mime_type: 'application/jsonl' }, { key: k.key });
    expect(up.status).toBe(200);
    const part = await addPart(up.body.id, whole, k.key);
    const done = await callJson<Upload>(`/v1/uploads/${up.body.id}/complete`, { method: 'POST', key: k.key, json: { part_ids: [part.body.id] } });
    expect(done.status).toBe(200);
    expect(decodeId('file', done.body.file!.id)?.model).toBe(group);
    // The upload is still there, completed, with its file.
    const read = await callJson<Upload>(`/v1/uploads/${up.body.id}`, { key: k.key });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'completed', file: { id: done.body.file!.id } });
    // The file routes to that group: a batch made from it runs there.
    const batch = await createBatch(done.body.file!.id, k.key);
    expect(batch.status).toBe(200);
    const finished = await waitForBatch(batch.body.id, k.key);
    expect(finished.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
  });

  it('a batch upload whose lines name no usable model is refused at completion, kept pending, and completes naming one', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const mixed = jsonl([batchLine('a', 'hi', { model: group }), batchLine('b', 'hi', { model: 'other' })]);
    const up1 = await createUpload({ filename: 'm.jsonl', purpose: 'batch', bytes: mixed.length, mime_type: 'application/jsonl' }, { key: k.key });
    const p1 = await addPart(up1.body.id, mixed, k.key);
    const refused = await callJson(`/v1/uploads/${up1.body.id}/complete`, { method: 'POST', key: k.key, json: { part_ids: [p1.body.id] } });
    expect(refused.status).toBe(400);
    expect(expectEnvelope(refused.body)).toMatchObject({ param: 'model' });
    expect(expectEnvelope(refused.body).message).toMatch(/line 2 names body.model "other" but line 1 names/);

    const unknown = jsonl([batchLine('a', 'hi', { model: 'no-such-group' })]);
    const up2 = await createUpload({ filename: 'u.jsonl', purpose: 'batch', bytes: unknown.length, mime_type: 'application/jsonl' }, { key: k.key });
    const p2 = await addPart(up2.body.id, unknown, k.key);
    const missing = await callJson(`/v1/uploads/${up2.body.id}/complete`, { method: 'POST', key: k.key, json: { part_ids: [p2.body.id] } });
    expect(missing.status).toBe(400);
    expect(expectEnvelope(missing.body).message).toMatch(/every line names body.model "no-such-group", but no such model exists.*x-litellm-model header/);
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: k.key })).body.data).toEqual([]);

    // Still pending with its parts: completing it again with the model named makes the file.
    const named = await callJson<Upload>(`/v1/uploads/${up2.body.id}/complete`, {
      method: 'POST',
      key: k.key,
      headers: { 'x-litellm-model': group },
      json: { part_ids: [p2.body.id] },
    });
    expect(named.status).toBe(200);
    expect(decodeId('file', named.body.file!.id)?.model).toBe(group);
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: k.key })).body.data).toHaveLength(1);
  });
});
