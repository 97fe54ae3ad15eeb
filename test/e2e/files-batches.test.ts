// Files, Uploads and Batches through the openai SDK, against the shared `wrangler dev`: a batch runs to the end
// (alarms, lanes, R2 output files), is cancelled, stays private to its key, and is billed at batch prices.
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { describe, expect, it } from 'vitest';
import { caught, deploy, newKey, sdk } from './helpers/gateway';
import { keySpend, settledRows } from './helpers/spend';
import { all, batchLine, duplicates, forgeId, jsonl, outputLines, uploadBatchFile, waitForBatch } from './helpers/batches';

const PRICE = { input_cost_per_token: 0.000_004, output_cost_per_token: 0.000_02 };
const prompt = (i: number): string => `word${i} b c`;
const ids = (n: number, prefix = 'req'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const create = (client: OpenAI, inputFileId: string): Promise<Batch> =>
  client.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h' });

describe('files and batches through the SDK', () => {
  it('uploads a batch file, runs it to completion with live counts, and serves the output file in input order', async () => {
    const { group } = await deploy({ served: 'batch-model', sim: { latencyMs: 150 }, info: { batch_concurrency: 2 } });
    const { key } = await newKey({ models: [group] });
    const client = sdk(key);
    const content = jsonl(ids(10).map((id, i) => batchLine(id, prompt(i))));
    const input = await uploadBatchFile(client, content, group);
    expect(input).toMatchObject({ object: 'file', purpose: 'batch', filename: 'batch.jsonl', bytes: Buffer.byteLength(content) });
    expect(Buffer.from(input.id.slice(5), 'base64url').toString()).toMatch(new RegExp(`^litellm:.+;model,${group}$`));

    const created = await create(client, input.id);
    expect(created).toMatchObject({ object: 'batch', endpoint: '/v1/chat/completions', input_file_id: input.id });
    expect(['validating', 'in_progress']).toContain(created.status);

    const seen: Batch[] = [];
    const done = await waitForBatch(client, created.id, { onPoll: (b) => seen.push(b) });
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 10, completed: 10, failed: 0 });
    expect(done.error_file_id).toBeNull();
    // Counts are live: some poll saw the batch part-way, and completed never went down.
    const progress = seen.map((b) => b.request_counts?.completed ?? 0);
    expect(progress.some((c) => c > 0 && c < 10), `completed counts seen: ${progress.join(',')}`).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.filter((b) => b.status === 'in_progress').every((b) => b.request_counts?.total === 10)).toBe(true);

    const output = await outputLines(client, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(ids(10));
    output.forEach((line, i) => {
      expect(line.error).toBeNull();
      expect(line.response).toMatchObject({ status_code: 200, body: { object: 'chat.completion' } });
      expect(line.response!.body.choices[0]!.message.content).toBe(prompt(i));
    });

    expect((await all(client.batches.list())).map((b) => b.id)).toContain(created.id);
    const files = await all(client.files.list());
    expect(files.find((f) => f.id === input.id)?.purpose).toBe('batch');
    expect(files.find((f) => f.id === done.output_file_id)).toMatchObject({ object: 'file', purpose: 'batch_output' });
    expect(await client.files.retrieve(done.output_file_id!)).toMatchObject({ id: done.output_file_id, purpose: 'batch_output' });

    expect(await client.files.delete(input.id)).toMatchObject({ id: input.id, deleted: true });
    expect(await caught(() => client.files.retrieve(input.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await all(client.files.list())).map((f) => f.id)).not.toContain(input.id);
  });

  it('cancel stops a slow batch: finished lines are kept, the rest are batch_cancelled, each custom_id once', async () => {
    const { group } = await deploy({ sim: { latencyMs: 300 }, info: { batch_concurrency: 2 } });
    const client = sdk((await newKey()).key);
    const input = await uploadBatchFile(client, jsonl(ids(20, 'c').map((id) => batchLine(id))), group);
    const batch = await create(client, input.id);
    await waitForBatch(client, batch.id, { until: (b) => (b.request_counts?.completed ?? 0) >= 2 });
    const cancelling = await client.batches.cancel(batch.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);

    const done = await waitForBatch(client, batch.id);
    expect(done.status).toBe('cancelled');
    const output = await outputLines(client, done.output_file_id);
    const errors = await outputLines(client, done.error_file_id);
    expect(output.length).toBeGreaterThanOrEqual(2);
    expect(output.length).toBeLessThan(20);
    expect(output.every((l) => l.response?.status_code === 200)).toBe(true);
    expect(errors.every((l) => l.response === null && l.error?.code === 'batch_cancelled')).toBe(true);
    const lines = [...output, ...errors];
    expect(duplicates(lines)).toEqual([]);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(ids(20, 'c').sort());
    expect(done.request_counts).toEqual({ total: 20, completed: output.length, failed: errors.length });
  });

  it("another key gets NotFoundError for a key's files and batches; forged ids find nothing", async () => {
    const { group } = await deploy();
    const owner = sdk((await newKey()).key);
    const other = sdk((await newKey()).key);
    const input = await uploadBatchFile(owner, jsonl([batchLine('x')]), group);
    const batch = await create(owner, input.id);
    const done = await waitForBatch(owner, batch.id);
    expect(done.status).toBe('completed');

    const attempts: [string, () => Promise<unknown>][] = [
      ['files.retrieve', () => other.files.retrieve(input.id)],
      ['files.content', () => other.files.content(input.id)],
      ['files.content (output)', () => other.files.content(done.output_file_id!)],
      ['files.delete', () => other.files.delete(input.id)],
      ['batches.retrieve', () => other.batches.retrieve(batch.id)],
      ['batches.cancel', () => other.batches.cancel(batch.id)],
      ['batches.create on their file', () => create(other, input.id)],
      ['forged file id', () => owner.files.retrieve(forgeId(input.id, 'other-model'))],
      ['forged file id content', () => owner.files.content(forgeId(input.id, 'other-model'))],
      ['forged batch id', () => owner.batches.retrieve(forgeId(batch.id, 'other-model'))],
      ['forged batch id cancel', () => owner.batches.cancel(forgeId(batch.id, 'other-model'))],
    ];
    for (const [what, attempt] of attempts) {
      const err = await caught(attempt);
      expect(err, what).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as InstanceType<typeof OpenAI.NotFoundError>).status, what).toBe(404);
    }
    expect(await all(other.files.list())).toEqual([]);
    expect(await all(other.batches.list())).toEqual([]);
    // The owner still has everything.
    expect((await owner.files.retrieve(input.id)).id).toBe(input.id);
    expect((await owner.batches.retrieve(batch.id)).status).toBe('completed');
  });

  it('a malformed batch upload raises BadRequestError naming the line, and stores nothing', async () => {
    const { group } = await deploy();
    const client = sdk((await newKey()).key);
    const completions = (id: string): string =>
      JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/completions', body: { prompt: 'x' } });
    const cases: [string, string, RegExp][] = [
      ['duplicate custom_id', jsonl([batchLine('a'), batchLine('b'), batchLine('a')]), /line 3: custom_id "a" is used twice/],
      ['bad JSON', jsonl([batchLine('a'), '{"custom_id": "b",']), /line 2: is not valid JSON/],
      ['mixed urls', jsonl([batchLine('a'), completions('b')]), /line 2: url must be \/v1\/chat\/completions/],
      ['stream: true', jsonl([batchLine('a', 'x', { stream: true })]), /line 1: body\.stream must not be true/],
    ];
    for (const [what, content, message] of cases) {
      const err = await caught(() => uploadBatchFile(client, content, group));
      expect(err, what).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).message, what).toMatch(message);
    }
    expect(await all(client.files.list())).toEqual([]);
  });

  it('the Uploads API assembles a batch file from two parts, its model the one its lines name, and a batch runs on it', async () => {
    const { group } = await deploy();
    const client = sdk((await newKey()).key);
    // As the SDK sends it: no model named for the upload, every line's body.model names the group.
    const whole = Buffer.from(jsonl(ids(6, 'u').map((id, i) => batchLine(id, prompt(i), { model: group }))));
    const cut = whole.indexOf('\n', 40) + 7; // inside a line: parts need not end on line breaks
    const upload = await client.uploads.create({ filename: 'parts.jsonl', purpose: 'batch', bytes: whole.length, mime_type: 'application/jsonl' });
    expect(upload).toMatchObject({ object: 'upload', status: 'pending', bytes: whole.length });
    // Sent out of order: the order of part_ids is what counts.
    const second = await client.uploads.parts.create(upload.id, { data: await toFile(whole.subarray(cut), 'p2') });
    const first = await client.uploads.parts.create(upload.id, { data: await toFile(whole.subarray(0, cut), 'p1') });
    expect(first).toMatchObject({ object: 'upload.part', upload_id: upload.id });
    const completed = await client.uploads.complete(upload.id, { part_ids: [first.id, second.id] });
    expect(completed.status).toBe('completed');
    expect(completed.file).toMatchObject({ purpose: 'batch', bytes: whole.length, filename: 'parts.jsonl' });
    const fileId = completed.file!.id;
    expect(Buffer.from(await (await client.files.content(fileId)).arrayBuffer()).equals(whole)).toBe(true);

    const done = await waitForBatch(client, (await create(client, fileId)).id);
    expect(done.status).toBe('completed');
    const output = await outputLines(client, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(ids(6, 'u'));
    expect(output.map((l) => l.response!.body.choices[0]!.message.content)).toEqual(ids(6).map((_, i) => prompt(i)));
  });

  it("bills the key at batch prices: its spend is the sum over output lines, one spend log row per line", async () => {
    const { group, id } = await deploy({ info: PRICE });
    const { key, token } = await newKey({ models: [group] });
    const client = sdk(key);
    const input = await uploadBatchFile(client, jsonl(ids(8, 'b').map((cid, i) => batchLine(cid, `${prompt(i)} ${'x '.repeat(i)}`, { max_tokens: 20 }))), group);
    const done = await waitForBatch(client, (await create(client, input.id)).id);
    expect(done.status).toBe('completed');
    const output = await outputLines(client, done.output_file_id);
    expect(output).toHaveLength(8);
    // Batch price defaults to half the live price.
    const cost = (u: { prompt_tokens: number; completion_tokens: number }): number =>
      (u.prompt_tokens * PRICE.input_cost_per_token) / 2 + (u.completion_tokens * PRICE.output_cost_per_token) / 2;
    const expected = output.reduce((sum, l) => sum + cost(l.response!.body.usage), 0);
    expect(expected).toBeGreaterThan(0);

    const rows = await settledRows(key, 8);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.api_key === token && r.model_group === group && r.model_id === id && r.status === 'success')).toBe(true);
    for (const line of output) {
      const row = rows.find((r) => r.request_id === line.response!.request_id);
      expect(row, `spend row for ${line.custom_id} (${line.response!.request_id})`).toBeDefined();
      expect(row!.prompt_tokens).toBe(line.response!.body.usage.prompt_tokens);
      expect(row!.completion_tokens).toBe(line.response!.body.usage.completion_tokens);
      expect(row!.spend).toBeCloseTo(cost(line.response!.body.usage), 15);
    }
    const deadline = Date.now() + 5000;
    while (Math.abs((await keySpend(key)) - expected) > 1e-12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await keySpend(key)).toBeCloseTo(expected, 12);
  });
});
