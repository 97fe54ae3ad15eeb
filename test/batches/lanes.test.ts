// How batch lanes report, stop and wait: the runner must hear of each booked line promptly (a killed gateway must not
// run and bill it again), a cancel must reach lines a lane has claimed but not started, and a key whose budget is
// held by lines in flight must make lines wait rather than fail.
import { describe, expect, it } from 'vitest';
import { callJson, simDeployment } from '../helpers/gateway';
import { batchLine, jsonl, uploadFile } from '../helpers/files';
import { newKey, settledRows } from '../helpers/keys';
import { createBatch, fileLines, waitForBatch, type Batch } from '../helpers/batches';

const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.001 };

async function counts(id: string, key: string): Promise<Batch['request_counts']> {
  return (await callJson<Batch>(`/v1/batches/${id}`, { key })).body.request_counts;
}

/** Uploads one chat line per id (with `extra` body fields) as the key's batch file and creates its batch. */
async function startBatch(group: string, key: string, ids: string[], extra: Record<string, unknown> = {}): Promise<Batch> {
  const file = await uploadFile(jsonl(ids.map((id) => batchLine(id, 'hello world', extra))), { key, purpose: 'batch', model: group });
  return (await createBatch(file.body.id, key)).body;
}

describe('batch lanes', () => {
  it('report each booked line to the runner at once, not with their next claim', async () => {
    const LATENCY = 1500;
    // One lane of six: it claims all twelve lines at once (six to run, six ahead), so it has no claim to make until
    // the second wave is under way; the first wave's results used to wait for the end of the run.
    const { group, sim } = await simDeployment({ sim: { latencyMs: LATENCY }, info: { batch_concurrency: 6 } });
    const k = await newKey();
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const batch = await startBatch(group, k.key, ids);

    // The seventh request starts when a slot frees up, i.e. when the first wave has been answered.
    await sim.waitForLog((log) => log.length >= 7, 10_000);
    const answeredAt = Date.now();
    let seen = await counts(batch.id, k.key);
    while (seen.completed < 6 && Date.now() - answeredAt < 1000) {
      await new Promise((r) => setTimeout(r, 25));
      seen = await counts(batch.id, k.key);
    }
    // Recorded well within a second of the answer (before, not until the second wave ended LATENCY ms later).
    expect(seen.completed).toBeGreaterThanOrEqual(6);
    expect(Date.now() - answeredAt).toBeLessThan(1000);

    const done = await waitForBatch(batch.id, k.key);
    expect(done.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect((await fileLines(done.output_file_id, k.key)).map((l) => l.custom_id)).toEqual(ids);
    expect(await sim.log()).toHaveLength(12);
  });

  it('a cancel reaches lines claimed but not started: none is sent after it, those running are kept', async () => {
    const { group, sim } = await simDeployment({ sim: { latencyMs: 1500 }, info: { ...PRICE, batch_concurrency: 6 } });
    const k = await newKey();
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const batch = await startBatch(group, k.key, ids);

    // Six lines running, six more claimed ahead and waiting in the lane.
    await sim.waitForLog((log) => log.length >= 6, 10_000);
    const cancel = await callJson<Batch>(`/v1/batches/${batch.id}/cancel`, { method: 'POST', key: k.key });
    expect(cancel.body.status).toBe('cancelling');

    const done = await waitForBatch(batch.id, k.key);
    expect(done.status).toBe('cancelled');
    // The six running lines finished and are kept; the claimed ones were never started (before: started with the
    // next free slot, answered and billed although the batch was cancelled).
    expect(await sim.log()).toHaveLength(6);
    expect(done.request_counts).toEqual({ total: 20, completed: 6, failed: 14 });
    const output = await fileLines(done.output_file_id, k.key);
    const errors = await fileLines(done.error_file_id, k.key);
    expect(output.map((l) => l.custom_id)).toEqual(ids.slice(0, 6));
    expect(errors.map((l) => [l.custom_id, l.error?.code])).toEqual(ids.slice(6).map((id) => [id, 'batch_cancelled']));
    // Only what ran was billed.
    await new Promise((r) => setTimeout(r, 300));
    expect(await settledRows(k.token, 6)).toHaveLength(6);
  });

  it('lines refused because the budget is held by lines in flight wait for it, instead of using up their attempts', async () => {
    // Each line reserves its worst case (~35 prompt + 100 completion tokens ≈ $0.07 at batch prices, half the live ones) while it runs,
    // and costs a fraction of a cent: a budget of $0.15 admits two or three at a time although it covers them all.
    const { group, sim } = await simDeployment({ sim: { latencyMs: 800 }, info: { ...PRICE, batch_concurrency: 6 } });
    const k = await newKey({ max_budget: 0.15 });
    const ids = Array.from({ length: 20 }, (_, i) => `b${i}`);
    const batch = await startBatch(group, k.key, ids, { max_tokens: 100 });

    const done = await waitForBatch(batch.id, k.key, 28_000);
    const errors = await fileLines(done.error_file_id, k.key);
    // Before: lines refused five times ("429 Budget is held by requests in flight") ended as error lines.
    expect(errors.map((l) => [l.custom_id, l.response?.status_code])).toEqual([]);
    expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 });
    expect((await fileLines(done.output_file_id, k.key)).map((l) => l.custom_id)).toEqual(ids);
    // A refused line was never sent: each line reached the upstream once and was billed once.
    expect(await sim.log()).toHaveLength(20);
    const rows = await settledRows(k.token, 20);
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(20);
  }, 30_000);

  it('lines refused for tpm_limit while only reservations fill the window (retry-after: 0) wait, they do not fail', async () => {
    // Each line reserves ~8,000 tokens while it runs and uses a few: two fit under 10,000 tpm at once, the third is
    // refused before any token is settled, so the window has no oldest entry and the refusal says `retry-after: 0`.
    const { group, sim } = await simDeployment({ sim: { latencyMs: 300, maxModelLen: 32_768 }, info: { batch_concurrency: 6 } });
    const k = await newKey({ tpm_limit: 10_000 });
    const ids = Array.from({ length: 6 }, (_, i) => `t${i}`);
    const batch = await startBatch(group, k.key, ids, { max_tokens: 8000 });

    const done = await waitForBatch(batch.id, k.key, 25_000);
    // Before: the third line ended here as tpm_limit_exceeded, a final failure on its first (unsent) try.
    const errors = await fileLines(done.error_file_id, k.key);
    expect(errors.map((l) => [l.custom_id, (l.response?.body.error as { type?: string } | undefined)?.type])).toEqual([]);
    expect(done.request_counts).toEqual({ total: 6, completed: 6, failed: 0 });
    expect((await fileLines(done.output_file_id, k.key)).map((l) => l.custom_id)).toEqual(ids);
    expect(await sim.log()).toHaveLength(6);
  }, 30_000);
});
