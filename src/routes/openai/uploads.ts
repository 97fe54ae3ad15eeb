import { Hono } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { readJsonObject } from '../../http/body';
import { validate } from '../../http/validate';
import { CLIENT_PURPOSES, findOwnedFile, saveFileRecord, toFileObject } from '../../files/file-store';
import { expiresAfterSchema, nowSeconds } from '../../files/expiry';
import { assertFilename } from '../../files/filename';
import { ownerOf } from '../../files/owner';
import {
  assertPending,
  completeUpload,
  deleteParts,
  newUpload,
  ownedUpload,
  receivePart,
  saveUpload,
  toUploadObject,
} from '../../files/uploads';
import { fileKey } from '../../files/r2-layout';
import { assertLinesModelAllowed, assertModelAllowed, namedModel } from './files';

const createSchema = z.strictObject({
  filename: z.string().check(z.minLength(1), z.maxLength(255)),
  purpose: z.enum(CLIENT_PURPOSES),
  bytes: z.int().check(z.positive(), z.maximum(8 * 1024 ** 3)),
  mime_type: z.string().check(z.minLength(1), z.maxLength(255)),
  expires_after: z.optional(expiresAfterSchema),
});
/**
 * Completing reads every part from R2 and writes the file in 8 MiB parts: one subrequest each, and an invocation
 * may make 10,000 on the Paid plan. 5,000 parts of an 8 GB upload average 1.6 MB (the SDKs send 64 MB parts).
 */
const MAX_PARTS = 5000;
const completeSchema = z.strictObject({
  part_ids: z.array(z.string()).check(z.minLength(1), z.maxLength(MAX_PARTS, `at most ${MAX_PARTS} parts: send larger parts (up to 64 MiB)`)),
  md5: z.optional(z.string()),
});
const SMALL = 64 * 1024;

/** OpenAI's Uploads API for files above the edge's request-size limit: create, add parts, complete or cancel. */
export function uploadRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/uploads', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const input = validate(createSchema, (await readJsonObject(c.req.raw, SMALL)).value);
    assertFilename(input.filename, 'filename');
    // A batch upload may name no model: completing it then takes the one its lines name (completeUpload).
    const model = namedModel(c);
    if (model) await assertModelAllowed(c, owner, model);
    const { expires_after, ...file } = input;
    const upload = newUpload(owner.id, model ?? '', file, expires_after?.seconds);
    await saveUpload(c.env.FILES, upload);
    return c.json(toUploadObject(upload));
  });

  app.post('/uploads/:id/parts', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const upload = await ownedUpload(c.env.FILES, owner.id, c.req.param('id'));
    assertPending(upload);
    const part = await receivePart(c.req.raw, c.env.FILES, upload);
    return c.json({ id: part, object: 'upload.part', created_at: nowSeconds(), upload_id: upload.id });
  });

  app.post('/uploads/:id/complete', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const upload = await ownedUpload(c.env.FILES, owner.id, c.req.param('id'));
    assertPending(upload);
    const { part_ids } = validate(completeSchema, (await readJsonObject(c.req.raw, SMALL * 16)).value);
    // A model named at creation stays the file's; one named now is checked before the parts are read.
    const named = upload.model ? undefined : namedModel(c);
    if (named) await assertModelAllowed(c, owner, named);
    const { file, fromLines } = await completeUpload(c.env.FILES, upload, part_ids, named);
    if (fromLines) {
      try {
        await assertLinesModelAllowed(c, owner, file.model, 'the x-litellm-model header or ?model= when completing the upload');
      } catch (err) {
        // The upload stays pending, its parts kept: it can be completed again naming a model.
        await c.env.FILES.delete(fileKey(owner.id, file.internal));
        throw err;
      }
    }
    await saveFileRecord(c.env.FILES, file);
    // The upload keeps the model it was created with (its id names it); the file's id names the file's.
    await saveUpload(c.env.FILES, { ...upload, status: 'completed', file_id: file.id });
    await deleteParts(c.env.FILES, upload);
    return c.json(toUploadObject({ ...upload, status: 'completed' }, toFileObject(file)));
  });

  app.post('/uploads/:id/cancel', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const upload = await ownedUpload(c.env.FILES, owner.id, c.req.param('id'));
    assertPending(upload);
    await deleteParts(c.env.FILES, upload);
    await saveUpload(c.env.FILES, { ...upload, status: 'cancelled' });
    return c.json(toUploadObject({ ...upload, status: 'cancelled' }));
  });

  app.get('/uploads/:id', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const upload = await ownedUpload(c.env.FILES, owner.id, c.req.param('id'));
    // The file a completed upload became may since have expired or been deleted: the upload itself is still there.
    const file = upload.file_id ? await findOwnedFile(c.env.FILES, owner.id, upload.file_id) : undefined;
    return c.json(toUploadObject(upload, file ? toFileObject(file) : null));
  });
  return app;
}
