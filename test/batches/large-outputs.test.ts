// A batch line whose answer is too large for the runner's storage (one SQLite row holds 2 MB) ends as an error line
// naming its size, billed like any call that ran; the rest of the batch completes, and finalize pages by bytes.
import { describe, expect, it } from 'vitest';
import { simDeployment } from '../helpers/gateway';
import { jsonl, uploadFile } from '../helpers/files';
import { newKey, settledRows } from '../helpers/keys';
import { createBatch, fileLines, waitForBatch } from '../helpers/batches';

const embeddingLine = (customId: string, inputs: number): string =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/embeddings',
    body: { model: 'ignored', input: Array.from({ length: inputs }, (_, i) => `passage ${customId} ${i}`) },
  });

describe('batch lines with large answers', () => {
  it('an answer over 1.5 MiB ends in the error file with its size; the others are kept, in order, and all are billed', async () => {
    // 4,096 dimensions: ~80 KB per input, so 30 inputs answer ~2.3 MiB and 12 inputs ~1 MiB.
    const { group } = await simDeployment({ sim: { embeddingDim: 4096 }, info: { input_cost_per_token: 0.001 } });
    const k = await newKey();
    const lines = [embeddingLine('small', 2), embeddingLine('huge', 30), embeddingLine('near', 12), embeddingLine('last', 1)];
    const file = await uploadFile(jsonl(lines), { key: k.key, purpose: 'batch', model: group });
    expect(file.status).toBe(200);
    const created = await createBatch(file.body.id, k.key, '/v1/embeddings');
    expect(created.status).toBe(200);
    const done = await waitForBatch(created.body.id, k.key);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 4, completed: 3, failed: 1 });

    const ok = await fileLines(done.output_file_id, k.key);
    expect(ok.map((l) => l.custom_id)).toEqual(['small', 'near', 'last']);
    const near = ok[1]!.response!.body as { data: { embedding: number[] }[] };
    expect(near.data).toHaveLength(12);
    expect(near.data[0]!.embedding).toHaveLength(4096);

    const errors = await fileLines(done.error_file_id, k.key);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.custom_id).toBe('huge');
    expect(errors[0]!.error!.code).toBe('output_too_large');
    expect(errors[0]!.error!.message).toMatch(/^The answer \(2\.\d MiB\) exceeds the 1\.5 MiB/);

    // The deployment did the work for all four lines: each is booked once, with its real usage.
    const rows = await settledRows(k.token, 4);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'success' && !r.usage_estimated && r.prompt_tokens > 0)).toBe(true);
  });
});
