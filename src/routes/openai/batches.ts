import { Hono } from 'hono';
import * as z from '../../http/zod';
import type { AppEnv } from '../../env';
import { authenticate } from '../../auth/middleware';
import { getRoutingTable } from '../../deployments/config-cache';
import { readJsonObject } from '../../http/body';
import { invalidRequest } from '../../http/errors';
import { validate } from '../../http/validate';
import { BATCH_ENDPOINTS } from '../../files/batch-file';
import { expiresAfterSchema } from '../../files/expiry';
import { ownerOf } from '../../files/owner';
import { findModel } from '../../routing/resolve';
import { batchInput, cancelBatch, createBatch, describeBatch, listBatches } from '../../batches/batch-service';
import { assertModelAllowed } from './files';

const createSchema = z.strictObject({
  input_file_id: z.string().check(z.minLength(1)),
  endpoint: z.enum(BATCH_ENDPOINTS),
  completion_window: z.literal('24h'),
  metadata: z.optional(z.nullable(z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512))))),
  output_expires_after: z.optional(expiresAfterSchema),
});

const listQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
  after: z.optional(z.string()),
});

/** OpenAI's Batches API, run by the gateway itself (vLLM has none). */
export function batchRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/batches', authenticate, async (c) => {
    const caller = c.get('caller');
    const owner = await ownerOf(c.env, caller);
    const input = validate(createSchema, (await readJsonObject(c.req.raw, 64 * 1024)).value);
    if (input.metadata && Object.keys(input.metadata).length > 16) throw invalidRequest('metadata holds at most 16 pairs', 'metadata');
    const create = { ...input, metadata: input.metadata ?? undefined, output_expires_after: input.output_expires_after?.seconds };
    const file = await batchInput(c.env, owner.id, create);
    await assertModelAllowed(c, owner, file.model);
    const target = findModel(await getRoutingTable(c.env), file.model)!;
    const label = owner.key ? (owner.key.key_alias ?? owner.key.key_name) : 'master key';
    const batch = await createBatch(c.env, owner.id, caller, target, create, label);
    return c.json(batch);
  });

  app.get('/batches', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    const q = validate(listQuery, c.req.query());
    const page = await listBatches(c.env, owner.id, q.limit, q.after);
    const ids = page.data.map((b) => b.id as string);
    return c.json({ object: 'list', data: page.data, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null, has_more: page.has_more });
  });

  app.get('/batches/:id', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    return c.json(await describeBatch(c.env, owner.id, c.req.param('id')));
  });

  app.post('/batches/:id/cancel', authenticate, async (c) => {
    const owner = await ownerOf(c.env, c.get('caller'));
    return c.json(await cancelBatch(c.env, owner.id, c.req.param('id')));
  });
  return app;
}
