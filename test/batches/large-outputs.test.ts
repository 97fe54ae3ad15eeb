// A batch line whose answer is too large for the runner's storage (one SQLite row holds 2 MB) is written to R2 as
// its whole output line while it streams, and finalize copies it into the output file in input order; nothing of it
// is left in R2 afterwards. An answer that cannot be kept (not JSON) still ends as an error line naming its size.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { BatchRunner } from '../../src/batches/batch-runner';
import { decodeId } from '../../src/files/ids';
import { simDeployment } from '../helpers/gateway';
import { jsonl, uploadFile } from '../helpers/files';
import { newKey, settledRows } from '../helpers/keys';
import { createBatch, fileLines, waitForBatch } from '../helpers/batches';
import { readLineAnswer, type SpillTarget } from '../../src/batches/line-answer';

const embeddingLine = (customId: string, inputs: number): string =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/embeddings',
    body: { model: 'ignored', input: Array.from({ length: inputs }, (_, i) => `passage ${customId} ${i}`) },
  });

async function keysUnder(prefix: string): Promise<string[]> {
  return (await env.FILES.list({ prefix })).objects.map((o) => o.key);
}

/** A response streamed in the given pieces, without a Content-Length (as a relayed large answer comes). */
function streamed(pieces: string[], contentType: string): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of pieces) controller.enqueue(encoder.encode(p));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': contentType } });
}

describe('batch lines with large answers', () => {
  it('an answer over 1.5 MiB is kept whole in the output file, in input order; R2 keeps no copy; all are billed', async () => {
    // 4,096 dimensions: ~80 KB per input, so 30 inputs answer ~2.3 MiB and 12 inputs ~1 MiB.
    const { group } = await simDeployment({ sim: { embeddingDim: 4096 }, info: { input_cost_per_token: 0.001 } });
    const k = await newKey();
    // Three large answers, each written to R2 on its own and copied into the output file at its place.
    const lines = [embeddingLine('small', 2), embeddingLine('huge', 30), embeddingLine('near', 12), embeddingLine('huge2', 31), embeddingLine('huge3', 32), embeddingLine('last', 1)];
    const file = await uploadFile(jsonl(lines), { key: k.key, purpose: 'batch', model: group });
    expect(file.status).toBe(200);
    const created = await createBatch(file.body.id, k.key, '/v1/embeddings');
    expect(created.status).toBe(200);
    const done = await waitForBatch(created.body.id, k.key);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 6, completed: 6, failed: 0 });
    expect(done.error_file_id).toBeNull();

    const ok = await fileLines(done.output_file_id, k.key);
    expect(ok.map((l) => l.custom_id)).toEqual(['small', 'huge', 'near', 'huge2', 'huge3', 'last']);
    const huge = ok[1]!;
    expect(huge.response!.status_code).toBe(200);
    expect(huge.response!.request_id).toMatch(/^batch-/);
    expect(huge.id).toMatch(/^batch_req_[0-9a-f]{24}$/);
    expect(huge.error).toBeNull();
    const body = huge.response!.body as { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(body.data).toHaveLength(30);
    expect(body.data.map((d) => d.index)).toEqual([...Array(30).keys()]);
    expect(body.data.every((d) => d.embedding.length === 4096)).toBe(true);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect((ok[2]!.response!.body as { data: unknown[] }).data).toHaveLength(12);
    expect(ok.slice(3, 5).map((l) => (l.response!.body as { data: unknown[] }).data.length)).toEqual([31, 32]);

    // Copied into the output file, the line's own object is gone.
    expect(await keysUnder('batchlines/')).toEqual([]);

    // A lane presumed dead that reports the line again after all: the first result stays, the late copy is deleted.
    const internal = decodeId('batch', done.id)!.internal;
    const stub = env.BATCHES.get(env.BATCHES.idFromName(internal));
    await runInDurableObject(stub, async (runner: BatchRunner) => {
      const late = `batchlines/${runner.owner()}/${internal}/1.9`;
      await env.FILES.put(late, 'late');
      expect(await keysUnder('batchlines/')).toEqual([late]);
      runner.next('late-run', [{ lineNo: 1, outcome: { kind: 'done', ok: true, output: '', spilled: late } }], 0);
    });
    await vi.waitFor(async () => expect(await keysUnder('batchlines/')).toEqual([]));
    expect((await fileLines(done.output_file_id, k.key))[1]).toEqual(huge);

    // A runner that stopped after saving the outcome but before deleting its lines in R2 deletes them at its alarm.
    const left = await runInDurableObject(stub, async (runner: BatchRunner, state) => {
      const key = `batchlines/${runner.owner()}/${internal}/4.1`;
      await env.FILES.put(key, 'left behind');
      state.storage.sql.exec("DELETE FROM meta WHERE name = 'spills_dropped'");
      // Far ahead, so it runs only when the test says (an alarm due now may fire on its own first).
      await state.storage.setAlarm(Date.now() + 60_000);
      return key;
    });
    expect(await keysUnder('batchlines/')).toEqual([left]);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await keysUnder('batchlines/')).toEqual([]);

    // The deployment did the work for every line: each is booked once, with its real usage.
    const rows = await settledRows(k.token, 6);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'success' && !r.usage_estimated && r.prompt_tokens > 0)).toBe(true);
  });

  it('writes a large answer as one output line: line breaks become spaces, the JSON reads the same', async () => {
    const target: SpillTarget = { bucket: env.FILES, key: 'batchlines/o/i/7.1', before: '{"x":', after: '}' };
    const pieces = ['{"a":\n', '"b\\nc",\r\n"n":', ' [1,\n2]}'];
    const answer = await readLineAnswer(streamed(pieces, 'application/json'), target, 8);
    // One R2 call (a put: under a part), which the lane counts against its run's subrequests.
    expect(answer).toEqual({ text: undefined, bytes: pieces.join('').length, spilled: 'batchlines/o/i/7.1', subrequests: 1 });
    const stored = await (await env.FILES.get('batchlines/o/i/7.1'))!.text();
    expect(stored).not.toMatch(/[\r\n]/);
    expect(JSON.parse(stored)).toEqual({ x: { a: 'b\nc', n: [1, 2] } });
    await env.FILES.delete('batchlines/o/i/7.1');

    // An answer that ends before its JSON object does is not kept (it would break its line).
    const cut = await readLineAnswer(streamed(['{"data":[1,2', ',3]'], 'application/json'), target, 8);
    expect(cut).toEqual({ text: undefined, bytes: 15, spilled: undefined, incomplete: true, subrequests: 1 });
    expect(await keysUnder('batchlines/o/')).toEqual([]);

    // Within the limit it is returned as text, as sent; a large answer that is not JSON is only counted.
    expect(await readLineAnswer(streamed(pieces, 'application/json'), target, 100)).toEqual({ text: pieces.join(''), bytes: pieces.join('').length });
    const plain = await readLineAnswer(streamed(['x'.repeat(10), 'y'.repeat(10)], 'text/plain'), target, 8);
    expect(plain).toEqual({ text: undefined, bytes: 20, spilled: undefined });
    expect(await keysUnder('batchlines/o/')).toEqual([]);
  });

  it('writes at most two large answers at a time: a third waits its turn with its answer unread', async () => {
    const encoder = new TextEncoder();
    const gates = [0, 1, 2].map(() => {
      let open = (): void => undefined;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    });
    const pulls = [0, 0, 0];
    // Each answer sends a first chunk over the limit, then its end once its gate opens. With no queue ahead of
    // the reader, a chunk is pulled only when the reader asks for one.
    const answer = (i: number): Response =>
      new Response(
        new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              pulls[i]!++;
              if (pulls[i] === 1) controller.enqueue(encoder.encode(`{"n":${i},"v":"${'x'.repeat(20)}`));
              else if (pulls[i] === 2) {
                await gates[i]!.opened;
                controller.enqueue(encoder.encode('"}'));
              } else controller.close();
            },
          },
          { highWaterMark: 0 },
        ),
        { headers: { 'content-type': 'application/json' } },
      );
    const target = (i: number): SpillTarget => ({ bucket: env.FILES, key: `batchlines/o/turns/${i}.1`, before: '[', after: ']' });
    const reads = [0, 1, 2].map((i) => readLineAnswer(answer(i), target(i), 8));
    await vi.waitFor(() => expect(pulls.slice(0, 2)).toEqual([2, 2]));
    await new Promise((r) => setTimeout(r, 50));
    expect(pulls[2]).toBe(1); // over its limit, waiting: nothing more read

    gates[0]!.open();
    await reads[0];
    await vi.waitFor(() => expect(pulls[2]).toBe(2)); // the freed turn passed to it
    gates[1]!.open();
    gates[2]!.open();
    const answers = await Promise.all(reads);
    expect(answers.map((a) => a.text === undefined && a.spilled)).toEqual([0, 1, 2].map((i) => target(i).key));
    for (const i of [0, 1, 2]) {
      expect(JSON.parse(await (await env.FILES.get(target(i).key))!.text())).toEqual([{ n: i, v: 'x'.repeat(20) }]);
      await env.FILES.delete(target(i).key);
    }
  });

  it('a write that fails lets the rest of the answer go (so its call is booked) and keeps nothing', async () => {
    const MiB = 1024 * 1024;
    let sent = 0;
    let cancelled = false;
    // An answer that goes on until it is cancelled, 1 MiB at a time.
    const endless = new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new Uint8Array(MiB).fill(sent++ === 0 ? 0x7b : 0x20));
        },
        cancel() {
          cancelled = true;
        },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
    // R2 refuses a key over 1,024 bytes: the first 8 MiB part cannot be uploaded.
    const target: SpillTarget = { bucket: env.FILES, key: `batchlines/o/${'k'.repeat(1100)}`, before: '[', after: ']' };
    await expect(readLineAnswer(endless, target, 4)).rejects.toThrow();
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(12);
    expect(await keysUnder('batchlines/o/')).toEqual([]);
  });
});
