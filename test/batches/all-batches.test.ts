// The operator's batch list (the dashboard's batches page, polled while a batch runs) reads the global index: one R2
// list of the newest names, not every owner's batches.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { allBatches } from '../../src/batches/all-batches';
import { simDeployment } from '../helpers/gateway';
import { batchLine, jsonl, uploadFile } from '../helpers/files';
import { newKey } from '../helpers/keys';
import { createBatch } from '../helpers/batches';

describe("every owner's batches", () => {
  it('lists the newest first from the index, with owner and label, across keys', async () => {
    const { group } = await simDeployment();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const k = await newKey({ key_alias: `batch-owner-${crypto.randomUUID()}` });
      const file = await uploadFile(jsonl([batchLine(`l${i}`)]), { key: k.key, purpose: 'batch', model: group });
      const created = await createBatch(file.body.id, k.key);
      expect(created.status).toBe(200);
      ids.push(created.body.id);
    }
    const index = await env.FILES.list({ prefix: 'batchindex/', limit: 1000 });
    expect(index.objects.length).toBeGreaterThanOrEqual(3);

    const rows = await allBatches(env, 2);
    expect(rows).toHaveLength(2);
    const created = rows.map((r) => r.batch.created_at as number);
    expect(created[0]).toBeGreaterThanOrEqual(created[1]!);
    // The newest of these three is shown, unless batches made meanwhile by other tests are newer still.
    const shownIds = rows.map((r) => r.batch.id as string);
    if (!shownIds.includes(ids[2]!)) expect(rows.every((r) => !ids.includes(r.batch.id as string))).toBe(true);
    expect(rows.every((r) => r.owner && r.label)).toBe(true);
  });
});
