// Files that go away (expired, deleted) while something else still refers to them: the upload they came from is
// still shown, and a batch being created on one does not bring its record back.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, callJson, simDeployment } from '../helpers/gateway';
import { batchLine, fileObjects, jsonl, keyWithId, r2Keys, setFileTimes, uploadFile } from '../helpers/files';
import { completedUpload } from '../helpers/uploads';
import { holdInput } from '../../src/batches/batch-service';
import { ownedFile } from '../../src/files/file-store';

const now = (): number => Math.floor(Date.now() / 1000);

async function completedUploadIds(key: string): Promise<{ uploadId: string; fileId: string }> {
  const done = await completedUpload(key, 3600);
  return { uploadId: done.id, fileId: done.file!.id };
}

describe('files that are gone', () => {
  it('GET /v1/uploads/{id} of a completed upload whose file expired or was deleted shows it with file: null', async () => {
    const owner = await keyWithId();
    const expired = await completedUploadIds(owner.key);
    const shown = await callJson<{ status: string; file: { id: string } | null }>(`/v1/uploads/${expired.uploadId}`, { key: owner.key });
    expect(shown.body.file?.id).toBe(expired.fileId);
    await setFileTimes(owner.id, expired.fileId, { expires_at: now() - 1 });
    // Before: 404 for the upload itself.
    const after = await callJson<{ id: string; status: string; file: unknown }>(`/v1/uploads/${expired.uploadId}`, { key: owner.key });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: expired.uploadId, status: 'completed', file: null });

    const deleted = await completedUploadIds(owner.key);
    expect((await call(`/v1/files/${deleted.fileId}`, { method: 'DELETE', key: owner.key })).status).toBe(200);
    const gone = await callJson<{ status: string; file: unknown }>(`/v1/uploads/${deleted.uploadId}`, { key: owner.key });
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ status: 'completed', file: null });
    // Another key still finds no such upload: only a missing file is forgiven.
    const other = await keyWithId();
    expect((await call(`/v1/uploads/${deleted.uploadId}`, { key: other.key })).status).toBe(404);
  });

  it("holding a batch's input file does not bring back a file deleted after the batch read it", async () => {
    const { group } = await simDeployment();
    const owner = await keyWithId();
    const fields = { 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600' };
    const uploaded = await uploadFile(jsonl([batchLine('a')]), { key: owner.key, purpose: 'batch', model: group, fields });
    // The batch's check of its input file, then a DELETE before the hold is written (the race, made deterministic).
    const file = await ownedFile(env.FILES, owner.id, uploaded.body.id);
    expect((await call(`/v1/files/${file.id}`, { method: 'DELETE', key: owner.key })).status).toBe(200);
    // Before: the record was rewritten from the copy read above, without its content.
    await expect(holdInput(env.FILES, file, now() + 86_400)).rejects.toMatchObject({ kind: 'not_found' });
    const [content, record] = fileObjects(owner.id, file.id);
    expect(await r2Keys(record!)).toEqual([]);
    expect(await r2Keys(content!)).toEqual([]);
    expect((await call(`/v1/files/${file.id}`, { key: owner.key })).status).toBe(404);

    // A file still there is held, from its stored record.
    const kept = await uploadFile(jsonl([batchLine('b')]), { key: owner.key, purpose: 'batch', model: group, fields });
    const until = now() + 86_400;
    await holdInput(env.FILES, await ownedFile(env.FILES, owner.id, kept.body.id), until);
    const held = await env.FILES.head(fileObjects(owner.id, kept.body.id)[1]!);
    expect(held?.customMetadata).toMatchObject({ held_until: String(until), purpose: 'batch', requests: '1' });
  });
});
