import { Hono, type Context } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { getRoutingTable } from '../../deployments/config-cache';
import { GatewayError, invalidRequest } from '../../http/errors';
import { validate } from '../../http/validate';
import { allowsModel } from '../../keys/key-record';
import { findModel, modelNotFound } from '../../routing/resolve';
import { deleteFiles, ownedFile, saveFileRecord, toFileObject, type FileRecord } from '../../files/file-store';
import { listFiles } from '../../files/file-listing';
import { acceptForm, receiveForm } from '../../files/file-upload';
import { contentDisposition } from '../../files/filename';
import { fileKey } from '../../files/r2-layout';
import { ownerOf, type Owner } from '../../files/owner';

const listQuery = z.strictObject({
  purpose: z.optional(z.string()),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10000)), 100),
  after: z.optional(z.string()),
  order: z._default(z.enum(['asc', 'desc']), 'desc'),
});

/** The model a request names for its file: LiteLLM's x-litellm-model header, or ?model=. */
export function namedModel(c: Context<AppEnv>): string | undefined {
  return c.req.header('x-litellm-model') || c.req.query('model') || undefined;
}

/** Whether the caller may use this model: it must be a group (or deployment id) the key's allowlist admits. */
async function modelAccess(c: Context<AppEnv>, owner: Owner, model: string): Promise<{ group: string; allowed: boolean } | undefined> {
  const target = findModel(await getRoutingTable(c.env), model);
  if (!target) return undefined;
  return { group: target.group, allowed: !owner.key || allowsModel(owner.key.models, target.group) };
}

/** The caller may use this model group (a file or batch id carries one): the same allowlist as live requests. */
export async function assertModelAllowed(c: Context<AppEnv>, owner: Owner, model: string): Promise<void> {
  const access = await modelAccess(c, owner, model);
  if (!access) throw modelNotFound(model);
  if (!access.allowed) {
    throw new GatewayError('key_model_access_denied', `This key is not allowed to use model \`${access.group}\``, { param: 'model' });
  }
}

/**
 * The same check for a model nobody named, read from the batch file's lines: a problem is the file's, so a 400
 * that says where the model came from and how to name another.
 */
export async function assertLinesModelAllowed(c: Context<AppEnv>, owner: Owner, model: string, howToName: string): Promise<void> {
  const access = await modelAccess(c, owner, model);
  if (access?.allowed) return;
  const why = access ? `this key is not allowed to use model \`${access.group}\`` : 'no such model exists on this gateway';
  throw invalidRequest(
    `No model was named for this batch file and every line names body.model "${model.slice(0, 200)}", but ${why}; ` +
      `name the model with ${howToName}`,
    'model',
  );
}

/** OpenAI's Files API, stored in R2. Every id is checked against its owner on every access. */
export function fileRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/files', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const named = namedModel(c);
    // A model named up front is checked before a single byte is stored.
    if (named) await assertModelAllowed(c, owner, named);
    const form = await receiveForm(c.req.raw, c.env.FILES, owner.id);
    const { record, source } = await acceptForm(form, owner.id, named, c.env.FILES);
    if (source === 'form' || source === 'lines') {
      try {
        if (source === 'form') await assertModelAllowed(c, owner, record.model);
        else await assertLinesModelAllowed(c, owner, record.model, 'the form field model or target_model_names, the x-litellm-model header or ?model=');
      } catch (err) {
        await c.env.FILES.delete(fileKey(owner.id, record.internal));
        throw err;
      }
    }
    await saveFileRecord(c.env.FILES, record);
    return c.json(toFileObject(record));
  });

  app.get('/files', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const q = validate(listQuery, c.req.query());
    const page = await listFiles(c.env.FILES, owner.id, {
      limit: q.limit,
      ...(q.purpose ? { purpose: q.purpose } : {}),
      ...(q.after ? { after: q.after } : {}),
      order: q.order,
    });
    const data = page.data.map(toFileObject);
    return c.json({ object: 'list', data, first_id: page.data[0]?.id ?? null, last_id: page.data.at(-1)?.id ?? null, has_more: page.has_more });
  });

  const owned = async (c: Context<AppEnv>): Promise<FileRecord> => {
    const owner = await ownerOf(c.env, c.get('caller'));
    return ownedFile(c.env.FILES, owner.id, c.req.param('id') ?? '');
  };

  app.get('/files/:id', authenticate, async (c) => c.json(toFileObject(await owned(c))));

  app.delete('/files/:id', authenticate, async (c) => {
    const file = await owned(c);
    await deleteFiles(c.env.FILES, [file]);
    return c.json({ id: file.id, object: 'file', deleted: true });
  });

  app.get('/files/:id/content', authenticate, async (c) => {
    const file = await owned(c);
    const object = await c.env.FILES.get(fileKey(file.owner, file.internal));
    if (!object) throw new GatewayError('not_found', `No such file: ${file.id}`, { param: 'file_id' });
    return new Response(object.body, {
      headers: {
        'content-type': file.filename.endsWith('.jsonl') || file.purpose.startsWith('batch') ? 'application/jsonl' : 'application/octet-stream',
        'content-length': String(object.size),
        'content-disposition': contentDisposition(file.filename),
        // A client's bytes, served from the gateway's origin: never to be sniffed into HTML.
        'x-content-type-options': 'nosniff',
      },
    });
  });
  return app;
}
