import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson, expectEnvelope, simDeployment } from '../helpers/gateway';
import { batchLine, jsonl, uploadFile } from '../helpers/files';
import { newKey, settledRows } from '../helpers/keys';
import { createBatch, fileLines, waitForBatch, type Batch } from '../helpers/batches';
import { decodeId } from '../../src/files/ids';
import type { BatchRunner } from '../../src/batches/batch-runner';
import type { BatchState } from '../../src/batches/batch-types';

const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };

describe('batches run by the gateway', () => {
  it('runs every line through the live path, bills at batch prices, and writes output and error files in input order', async () => {
    const { group, sim } = await simDeployment({ info: PRICE, served: 'batch-model' });
    const k = await newKey({ models: [group] });
    const lines = Array.from({ length: 12 }, (_, i) => batchLine(`req-${i}`, `word${i} b c`));
    // One line the upstream refuses (context too long) and one the gateway refuses (no messages).
    lines.splice(5, 0, batchLine('too-long', 'x', { max_tokens: 100000 }));
    lines.splice(8, 0, JSON.stringify({ custom_id: 'no-messages', method: 'POST', url: '/v1/chat/completions', body: { model: 'x' } }));
    const file = await uploadFile(jsonl(lines), { key: k.key, purpose: 'batch', model: group });
    const created = await createBatch(file.body.id, k.key);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'batch', endpoint: '/v1/chat/completions', input_file_id: file.body.id, metadata: { purpose: 'test' } });
    expect(created.body.id).toMatch(/^batch_/);

    const done = await waitForBatch(created.body.id, k.key);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 14, completed: 12, failed: 2 });
    const output = await fileLines(done.output_file_id, k.key);
    const errors = await fileLines(done.error_file_id, k.key);
    expect(output.map((l) => l.custom_id)).toEqual(Array.from({ length: 12 }, (_, i) => `req-${i}`));
    expect(errors.map((l) => l.custom_id)).toEqual(['too-long', 'no-messages']);
    expect(output[3]!.response).toMatchObject({ status_code: 200, body: { object: 'chat.completion' } });
    expect((output[3]!.response!.body.choices as { message: { content: string } }[])[0]!.message.content).toBe('word3 b c');
    expect(errors[0]!.response!.status_code).toBe(400);
    expect(errors[1]!.response).toMatchObject({ status_code: 400, body: { error: { param: 'messages' } } });
    // Every request reached vLLM with the model forced to the served name of the batch's model group.
    const upstream = await sim.log();
    expect(upstream.every((e) => (e.json as { model: string }).model === 'batch-model')).toBe(true);

    // Billed to the creating key, at batch prices (half the live price by default): 3 + 3 tokens → $0.0045.
    // The line refused by validation never reached admission, like a live request: 13 rows.
    const rows = await settledRows(k.token, 13);
    const ok = rows.filter((r) => r.status === 'success');
    expect(ok).toHaveLength(12);
    expect(ok.every((r) => r.spend === 0.0045)).toBe(true);

    // Output files are the creator's, listed with purpose batch_output.
    const listed = await callJson<{ data: { id: string; purpose: string }[] }>('/v1/files?purpose=batch_output', { key: k.key });
    expect(listed.body.data.map((f) => f.id).sort()).toEqual([done.output_file_id, done.error_file_id].sort());
  });

  it('bills explicit *_cost_per_token_batches prices when the deployment sets them', async () => {
    const { group } = await simDeployment({ info: { ...PRICE, input_cost_per_token_batches: 0.0001, output_cost_per_token_batches: 0.0003 } });
    const k = await newKey();
    const file = await uploadFile(jsonl([batchLine('priced', 'one two three')]), { key: k.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    expect((await waitForBatch(batch.id, k.key)).request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
    const [row] = await settledRows(k.token, 1);
    // 3 prompt + 3 completion tokens at the batch prices, not the live ones.
    expect(row!.spend).toBeCloseTo(3 * 0.0001 + 3 * 0.0003, 12);
  });

  it('lists the caller\'s batches; other keys and forged ids get 404', async () => {
    const { group } = await simDeployment();
    const a = await newKey();
    const b = await newKey();
    const file = await uploadFile(jsonl([batchLine('x')]), { key: a.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, a.key);
    const list = await callJson<{ data: Batch[] }>('/v1/batches', { key: a.key });
    expect(list.body.data.map((x) => x.id)).toEqual([batch.id]);
    expect((await callJson<{ data: Batch[] }>('/v1/batches', { key: b.key })).body.data).toEqual([]);
    expect((await callJson(`/v1/batches/${batch.id}`, { key: b.key })).status).toBe(404);
    expect((await callJson(`/v1/batches/${batch.id}/cancel`, { method: 'POST', key: b.key })).status).toBe(404);
    const decoded = atob(batch.id.slice(6).replace(/-/g, '+').replace(/_/g, '/'));
    const forged = 'batch_' + btoa(decoded.replace(/model,.*$/, 'model,elsewhere')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect((await callJson(`/v1/batches/${forged}`, { key: a.key })).status).toBe(404);
    // Another key cannot start a batch on someone else's file either.
    expect((await createBatch(file.body.id, b.key)).status).toBe(404);
    await waitForBatch(batch.id, a.key);
  });

  it('refuses bad create requests with a 4xx naming the field', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const plain = await uploadFile('not a batch', { key: k.key, purpose: 'user_data' });
    const file = await uploadFile(jsonl([batchLine('x')]), { key: k.key, purpose: 'batch', model: group });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ input_file_id: file.body.id, endpoint: '/v1/embeddings', completion_window: '24h' }, 400, 'endpoint'],
      [{ input_file_id: file.body.id, endpoint: '/v1/chat/completions', completion_window: '48h' }, 400, 'completion_window'],
      [{ input_file_id: plain.body.id, endpoint: '/v1/chat/completions', completion_window: '24h' }, 400, 'input_file_id'],
      [{ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' }, 404, 'file_id'],
      [{ endpoint: '/v1/chat/completions', completion_window: '24h' }, 400, 'input_file_id'],
      [{ input_file_id: file.body.id, endpoint: '/v1/chat/completions', completion_window: '24h', extra: 1 }, 400, 'extra'],
    ];
    for (const [json, status, param] of cases) {
      const res = await callJson('/v1/batches', { method: 'POST', key: k.key, json });
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(expectEnvelope(res.body).param).toBe(param);
    }
  });

  it('a key that may not use the model cannot start the batch', async () => {
    const { group } = await simDeployment();
    const owner = await newKey();
    const file = await uploadFile(jsonl([batchLine('x')]), { key: owner.key, purpose: 'batch', model: group });
    await callJson('/key/update', { method: 'POST', json: { key: owner.key, models: ['something-else'] } });
    expect((await createBatch(file.body.id, owner.key)).status).toBe(403);
  });

  it('each deployment of the group runs at most its own batch_concurrency lines at once', async () => {
    const LATENCY = 300;
    const a = await simDeployment({ sim: { latencyMs: LATENCY }, info: { batch_concurrency: 1 } });
    const b = await simDeployment({ group: a.group, sim: { latencyMs: LATENCY }, info: { batch_concurrency: 3 } });
    const k = await newKey();
    const file = await uploadFile(jsonl(Array.from({ length: 16 }, (_, i) => batchLine(`p${i}`))), { key: k.key, purpose: 'batch', model: a.group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    const done = await waitForBatch(batch.id, k.key);
    expect(done.request_counts).toEqual({ total: 16, completed: 16, failed: 0 });
    // Every request holds its deployment for LATENCY ms: arrivals closer together than that overlapped.
    const mostAtOnce = (times: number[]): number =>
      Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + LATENCY - 60).length));
    const aTimes = (await a.sim.log()).map((e) => e.time);
    const bTimes = (await b.sim.log()).map((e) => e.time);
    expect(aTimes.length + bTimes.length).toBe(16);
    expect(aTimes.length).toBeGreaterThan(0);
    expect(mostAtOnce(aTimes)).toBe(1);
    expect(mostAtOnce(bTimes)).toBeLessThanOrEqual(3);
    expect(mostAtOnce(bTimes)).toBeGreaterThan(1);
  });

  it('cancel stops dispatch, keeps what finished, and reports the rest as batch_cancelled', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 300 }, info: { batch_concurrency: 2 } });
    const k = await newKey();
    const file = await uploadFile(jsonl(Array.from({ length: 20 }, (_, i) => batchLine(`c${i}`))), { key: k.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    for (;;) {
      const { body } = await callJson<Batch>(`/v1/batches/${batch.id}`, { key: k.key });
      if (body.request_counts.completed >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelling = await callJson<Batch>(`/v1/batches/${batch.id}/cancel`, { method: 'POST', key: k.key });
    expect(['cancelling', 'cancelled']).toContain(cancelling.body.status);
    const done = await waitForBatch(batch.id, k.key);
    expect(done.status).toBe('cancelled');
    const output = await fileLines(done.output_file_id, k.key);
    const errors = await fileLines(done.error_file_id, k.key);
    expect(output.length).toBeGreaterThanOrEqual(2);
    expect(output.length).toBeLessThan(20);
    expect(errors.every((l) => l.error?.code === 'batch_cancelled')).toBe(true);
    const all = [...output, ...errors].map((l) => l.custom_id).sort();
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
  });
});

describe('a cancel while the runner reads the input file', () => {
  it('is kept: the batch ends cancelled and runs no line (the runner used to save its stale copy over the cancel)', async () => {
    const { group, sim } = await simDeployment();
    const k = await newKey();
    const file = await uploadFile(jsonl(['a', 'b', 'c'].map((id) => batchLine(id))), { key: k.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    expect((await waitForBatch(batch.id, k.key)).status).toBe('completed');
    const ranBefore = (await sim.log()).length;

    // Put the runner back to a batch just created (no alarm pending), then interleave as production can: the
    // runner's alarm awaits the R2 read of the input file, and a cancel arrives meanwhile.
    const stub = env.BATCHES.get(env.BATCHES.idFromName(decodeId('batch', batch.id)!.internal));
    const afterRace = await runInDurableObject(stub, async (runner: BatchRunner, state) => {
      const sql = state.storage.sql;
      const stored = JSON.parse(sql.exec<{ state: string }>('SELECT state FROM batch WHERE id = 1').one().state) as BatchState;
      const fresh: BatchState = { ...stored, status: 'validating', in_progress_at: null, finalizing_at: null, completed_at: null, output_file_id: null, error_file_id: null };
      sql.exec('UPDATE batch SET state = ? WHERE id = 1', JSON.stringify(fresh));
      sql.exec('DELETE FROM lines');
      sql.exec('DELETE FROM meta');
      const alarm = runner.alarm();
      const cancelled = await runner.cancel(stored.owner);
      expect(cancelled).toMatchObject({ status: 'cancelling' });
      await alarm;
      return JSON.parse(sql.exec<{ state: string }>('SELECT state FROM batch WHERE id = 1').one().state) as BatchState;
    });
    expect(['cancelling', 'finalizing', 'cancelled']).toContain(afterRace.status);

    const done = await waitForBatch(batch.id, k.key);
    expect(done.status).toBe('cancelled');
    expect(done.request_counts).toEqual({ total: 3, completed: 0, failed: 3 });
    const errors = await fileLines(done.error_file_id, k.key);
    expect(errors.map((l) => [l.custom_id, l.error?.code])).toEqual([
      ['a', 'batch_cancelled'],
      ['b', 'batch_cancelled'],
      ['c', 'batch_cancelled'],
    ]);
    expect((await sim.log()).length).toBe(ranBefore);
  });
});

describe('reports from a run presumed dead', () => {
  it('do not put back a line another run holds by now: its retry and its hand-back are ignored', async () => {
    const { group } = await simDeployment();
    const k = await newKey();
    const file = await uploadFile(jsonl(['a', 'b'].map((id) => batchLine(id))), { key: k.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    expect((await waitForBatch(batch.id, k.key)).status).toBe('completed');
    const stub = env.BATCHES.get(env.BATCHES.idFromName(decodeId('batch', batch.id)!.internal));
    const rows = await runInDurableObject(stub, (runner: BatchRunner, state) => {
      const sql = state.storage.sql;
      // Both lines running again, now held by run "new"; run "old" (presumed dead) reports after all.
      sql.exec("UPDATE lines SET state = 'running', run_id = 'new', ok = NULL, output = NULL, attempts = 2");
      const stored = JSON.parse(sql.exec<{ state: string }>('SELECT state FROM batch WHERE id = 1').one().state) as BatchState;
      sql.exec('UPDATE batch SET state = ? WHERE id = 1', JSON.stringify({ ...stored, status: 'in_progress' }));
      runner.next('old', [
        { lineNo: 0, outcome: { kind: 'retry', delayMs: 1000, output: 'stale' } },
        { lineNo: 1, outcome: { kind: 'release' } },
      ], 0);
      const held = sql.exec<{ state: string; run_id: string; attempts: number }>('SELECT state, run_id, attempts FROM lines ORDER BY line_no').toArray();
      // The holder's own hand-back still works.
      runner.next('new', [{ lineNo: 1, outcome: { kind: 'release' } }], 0);
      const after = sql.exec<{ state: string; attempts: number }>('SELECT state, attempts FROM lines WHERE line_no = 1').one();
      return { held, after };
    });
    expect(rows.held).toEqual([
      { state: 'running', run_id: 'new', attempts: 2 },
      { state: 'running', run_id: 'new', attempts: 2 },
    ]);
    expect(rows.after).toEqual({ state: 'pending', attempts: 1 });
  });
});

describe('batch expiry', () => {
  it('lines not done when the 24 h window closes become batch_expired error lines', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 5000 }, info: { batch_concurrency: 1 } });
    const k = await newKey();
    const file = await uploadFile(jsonl(Array.from({ length: 4 }, (_, i) => batchLine(`e${i}`))), { key: k.key, purpose: 'batch', model: group });
    const { body: batch } = await createBatch(file.body.id, k.key);
    const internal = atob(batch.id.slice(6).replace(/-/g, '+').replace(/_/g, '/')).match(/^litellm:([^;]+);/)![1]!;
    const stub = env.BATCHES.get(env.BATCHES.idFromName(internal));
    // Move the deadline into the past, as if 24 hours had gone by.
    await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql.exec<{ state: string }>('SELECT state FROM batch WHERE id = 1').one();
      const s = JSON.parse(row.state) as { expires_at: number; status: string };
      s.expires_at = Math.floor(Date.now() / 1000) - 1;
      state.storage.sql.exec('UPDATE batch SET state = ? WHERE id = 1', JSON.stringify(s));
    });
    await runDurableObjectAlarm(stub);
    const done = await waitForBatch(batch.id, k.key);
    expect(done.status).toBe('expired');
    const errors = await fileLines(done.error_file_id, k.key);
    const output = await fileLines(done.output_file_id, k.key);
    expect([...output, ...errors].map((l) => l.custom_id).sort()).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((l) => l.error?.code === 'batch_expired')).toBe(true);
  });
});
