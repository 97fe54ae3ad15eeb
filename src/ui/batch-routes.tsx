import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { allBatches } from '../batches/all-batches';
import { ownedRunner } from '../batches/batch-service';
import { findOwnedFile } from '../files/file-store';
import { fileKey } from '../files/r2-layout';
import { page } from './middleware';
import { BatchesPage } from './pages/batches';

const SHOWN = 100;

/** Batches: every owner's, with live progress, cancel, and output/error downloads. */
export function batchUiRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/batches', async (c) => c.html(<BatchesPage csrf={c.get('csrf')} rows={await allBatches(c.env, SHOWN)} />));

  app.get('/batch-progress.json', async (c) => {
    const rows = await allBatches(c.env, SHOWN);
    return c.json(rows.map((r) => ({ id: r.batch.id, status: r.batch.status, request_counts: r.batch.request_counts })));
  });

  app.post('/batches/:id/cancel', async (c) => {
    const { runner } = ownedRunner(c.env, c.req.param('id'));
    const owner = await runner.owner();
    if (owner) await runner.cancel(owner);
    return c.redirect('/ui/batches', 303);
  });

  app.get('/batches/:id/:which{output|errors}', async (c) => {
    const { runner } = ownedRunner(c.env, c.req.param('id'));
    const owner = await runner.owner();
    const batch = owner ? await runner.describe(owner) : null;
    const fileId = batch ? (c.req.param('which') === 'output' ? batch.output_file_id : batch.error_file_id) : null;
    // Through the Files API's owner check, so an output file past its expires_at is gone here too (this page's 404).
    const file = owner && typeof fileId === 'string' ? await findOwnedFile(c.env.FILES, owner, fileId) : undefined;
    const object = file ? await c.env.FILES.get(fileKey(file.owner, file.internal)) : null;
    if (!object) return page(c, 404, 'No such file', 'This batch has no such file (yet).');
    return new Response(object.body, {
      headers: {
        'content-type': 'application/jsonl',
        'content-disposition': `attachment; filename="${c.req.param('which')}.jsonl"`,
        'x-content-type-options': 'nosniff',
      },
    });
  });
  return app;
}
