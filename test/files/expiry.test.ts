import { describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { call, callJson, expectEnvelope, MASTER_KEY, simDeployment } from '../helpers/gateway';
import { batchLine, fileObjects, jsonl, keyWithId, r2Keys, setFileTimes, uploadFile, type FileObject } from '../helpers/files';
import { waitForBatch } from '../helpers/batches';
import { sdk } from '../helpers/sdk';
import { completedUpload } from '../helpers/uploads';

const now = (): number => Math.floor(Date.now() / 1000);

async function exists(keys: string[]): Promise<boolean[]> {
  return Promise.all(keys.map(async (k) => (await r2Keys(k)).includes(k)));
}

describe('expires_after', () => {
  it('files.create through the SDK (expires_after[anchor], expires_after[seconds]) sets expires_at', async () => {
    const owner = await keyWithId();
    const file = await sdk(owner.key).files.create({
      file: await toFile(new TextEncoder().encode('short-lived'), 'tmp.txt'),
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    expect(file.expires_at).toBe(file.created_at + 3600);
    expect((await callJson<FileObject>(`/v1/files/${file.id}`, { key: owner.key })).body.expires_at).toBe(file.created_at + 3600);
    const listed = await callJson<{ data: FileObject[] }>('/v1/files', { key: owner.key });
    expect(listed.body.data[0]).toMatchObject({ id: file.id, expires_at: file.created_at + 3600 });
    const forever = await uploadFile('kept', { key: owner.key, purpose: 'user_data' });
    expect(forever.body.expires_at).toBeNull();
  });

  it('refuses a bad expires_after in the form with a 400 naming the field, keeping nothing', async () => {
    const owner = await keyWithId();
    const cases: [Record<string, string>, string][] = [
      [{ 'expires_after[anchor]': 'last_active_at', 'expires_after[seconds]': '3600' }, 'expires_after[anchor]'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3599' }, 'expires_after[seconds]'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '2592001' }, 'expires_after[seconds]'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '1e4' }, 'expires_after[seconds]'],
      [{ 'expires_after[seconds]': '3600' }, 'expires_after[anchor]'],
      [{ 'expires_after[anchor]': 'created_at' }, 'expires_after[seconds]'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600', 'expires_after[days]': '1' }, 'expires_after[days]'],
    ];
    for (const [fields, param] of cases) {
      const { status, body } = await uploadFile('x', { key: owner.key, purpose: 'user_data', fields });
      expect(status, JSON.stringify(fields)).toBe(400);
      expect(expectEnvelope(body).param, JSON.stringify(fields)).toBe(param);
    }
    expect(await r2Keys(`files/${owner.id}/`)).toEqual([]);
  });

  it('an expired file is gone: 404 on retrieve, content and delete, not listed either way, and deleted from R2', async () => {
    const owner = await keyWithId();
    const fields = { 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadFile(`file ${i}`, { key: owner.key, purpose: 'user_data', fields })).body.id);
    const kept = (await uploadFile('kept', { key: owner.key, purpose: 'user_data' })).body.id;
    for (const id of ids) await setFileTimes(owner.id, id, { expires_at: now() - 1 });
    // Noticed by a retrieve, by a download, and by a listing: each answers as if the file never was, and removes it.
    expect((await callJson(`/v1/files/${ids[0]}`, { key: owner.key })).status).toBe(404);
    expect(await exists(fileObjects(owner.id, ids[0]!))).toEqual([false, false]);
    const content = await call(`/v1/files/${ids[1]}/content`, { key: owner.key });
    expect(content.status).toBe(404);
    await content.body?.cancel();
    expect(await exists(fileObjects(owner.id, ids[1]!))).toEqual([false, false]);
    for (const order of ['asc', 'desc']) {
      const listed = await callJson<{ data: FileObject[] }>(`/v1/files?order=${order}`, { key: owner.key });
      expect(listed.body.data.map((f) => f.id)).toEqual([kept]);
    }
    expect(await exists(fileObjects(owner.id, ids[2]!))).toEqual([false, false]);
    expect((await callJson(`/v1/files/${ids[2]}`, { method: 'DELETE', key: owner.key })).status).toBe(404);
    expect(await exists(fileObjects(owner.id, kept))).toEqual([true, true]);
  });

  it('uploads.create takes expires_after (JSON) for the file it becomes, and validates it', async () => {
    const client = sdk(MASTER_KEY);
    const done = await completedUpload(MASTER_KEY, 7200);
    expect(done.file!.expires_at).toBe(done.file!.created_at + 7200);
    expect((await callJson<FileObject>(`/v1/files/${done.file!.id}`)).body.expires_at).toBe(done.file!.created_at + 7200);
    const base = { filename: 'x.txt', purpose: 'user_data', bytes: 1, mime_type: 'text/plain' };
    const bad: [unknown, string][] = [
      [{ anchor: 'created_at', seconds: 60 }, 'expires_after.seconds'],
      [{ anchor: 'created_at', seconds: 3600.5 }, 'expires_after.seconds'],
      [{ anchor: 'now', seconds: 3600 }, 'expires_after.anchor'],
      [{ anchor: 'created_at', seconds: 3600, days: 1 }, 'expires_after.days'],
    ];
    for (const [expires_after, param] of bad) {
      const res = await callJson('/v1/uploads', { method: 'POST', json: { ...base, expires_after } });
      expect(res.status, JSON.stringify(expires_after)).toBe(400);
      expect(expectEnvelope(res.body).param).toBe(param);
    }
  });

  it("batches.create's output_expires_after sets expires_at of the output and error files; bad ones are a 400", async () => {
    const { group } = await simDeployment();
    const owner = await keyWithId();
    const input = await uploadFile(jsonl([batchLine('ok'), batchLine('too-long', 'x', { max_tokens: 100000 })]), { key: owner.key, purpose: 'batch', model: group });
    const client = sdk(owner.key);
    const batch = await client.batches.create({
      input_file_id: input.body.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      output_expires_after: { anchor: 'created_at', seconds: 86_400 },
    });
    const done = await waitForBatch(batch.id, owner.key);
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    for (const id of [done.output_file_id!, done.error_file_id!]) {
      const file = await callJson<FileObject>(`/v1/files/${id}`, { key: owner.key });
      expect(file.body.expires_at).toBe(file.body.created_at + 86_400);
    }
    expect((await callJson<FileObject>(`/v1/files/${input.body.id}`, { key: owner.key })).body.expires_at).toBeNull();
    const res = await callJson('/v1/batches', {
      method: 'POST',
      key: owner.key,
      json: { input_file_id: input.body.id, endpoint: '/v1/chat/completions', completion_window: '24h', output_expires_after: { anchor: 'created_at', seconds: 100 } },
    });
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body).param).toBe('output_expires_after.seconds');
  });

  it("a batch's input file that expires before the batch can end keeps its objects for the batch, then goes", async () => {
    const { group } = await simDeployment();
    const owner = await keyWithId();
    const fields = { 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600' };
    const input = await uploadFile(jsonl([batchLine('a')]), { key: owner.key, purpose: 'batch', model: group, fields });
    const batch = await callJson<{ id: string; expires_at: number }>('/v1/batches', {
      method: 'POST',
      key: owner.key,
      json: { input_file_id: input.body.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
    });
    expect(batch.status).toBe(200);
    await waitForBatch(batch.body.id, owner.key);
    // Expired, but still held for the batch: gone for clients, kept in R2.
    await setFileTimes(owner.id, input.body.id, { expires_at: now() - 1 });
    expect((await callJson(`/v1/files/${input.body.id}`, { key: owner.key })).status).toBe(404);
    expect(await exists(fileObjects(owner.id, input.body.id))).toEqual([true, true]);
    // Once the hold has passed, the next look deletes it.
    await setFileTimes(owner.id, input.body.id, { held_until: now() - 1 });
    expect((await callJson(`/v1/files/${input.body.id}`, { key: owner.key })).status).toBe(404);
    expect(await exists(fileObjects(owner.id, input.body.id))).toEqual([false, false]);
  });
});
