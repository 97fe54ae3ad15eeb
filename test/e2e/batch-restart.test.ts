// Durability: a batch survives the gateway being killed mid-run. This file starts its OWN `wrangler dev` on a fresh
// persist dir, SIGKILLs the whole process group (wrangler + workerd) while lines are in flight, starts it again on
// the same storage, and expects the batch to finish with every request answered exactly once.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { spawnSim, type SimHandle } from '../helpers/sim';
import { batchLine, duplicates, jsonl, outputLines, uploadBatchFile, waitForBatch } from './helpers/batches';
import { freePort, groupMembers, isListening, startWrangler, type Wrangler, type WranglerOptions } from './helpers/wrangler';

const LINES = 60;
const customIds = Array.from({ length: LINES }, (_, i) => `line-${i}`);

let gateway: Wrangler | undefined;
let sim: SimHandle | undefined;
let persist: string | undefined;

afterAll(async () => {
  // Whatever happened in the test: nothing of ours keeps running.
  await gateway?.stop();
  await sim?.close().catch(() => undefined);
  if (persist) await rm(persist, { recursive: true, force: true });
}, 30_000);

/** An admin call to this file's own gateway. */
async function admin<T>(options: WranglerOptions, path: string, json: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${options.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.vars.MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const client = (url: string, apiKey: string): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });

describe('a batch survives a killed gateway', () => {
  it('SIGKILL of wrangler and workerd mid-batch, restart on the same storage: the batch completes, each line once', { timeout: 120_000 }, async () => {
    persist = await mkdtemp(join(tmpdir(), 'gateway-e2e-restart-'));
    const masterKey = `sk-e2e-restart-${randomBytes(16).toString('hex')}`;
    const options: WranglerOptions = {
      port: await freePort(),
      inspectorPort: await freePort(),
      persist,
      vars: { MASTER_KEY: masterKey, HOSTED_VLLM_API_BASE: inject('simUrl') },
      redact: [masterKey],
    };
    gateway = await startWrangler(options);

    sim = await spawnSim(inject('simUrl'), { models: ['restart-model'], latencyMs: 150 });
    await admin(options, '/model/new', {
      model_name: 'restart-group',
      litellm_params: { model: 'hosted_vllm/restart-model', api_base: sim.url },
      model_info: { id: 'restart-dep', batch_concurrency: 4 },
    });
    const { key } = await admin<{ key: string }>(options, '/key/generate', { models: ['restart-group'] });
    const before = client(gateway.url, key);
    const input = await uploadBatchFile(before, jsonl(customIds.map((id, i) => batchLine(id, `prompt ${i}`))), 'restart-group');
    const batch = await before.batches.create({ input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    // Some lines done, most still to go: kill everything at once, as a crash or an OOM kill would.
    const midway = await waitForBatch(before, batch.id, { timeoutMs: 30_000, until: (b) => (b.request_counts?.completed ?? 0) >= 10 });
    expect(midway.status).toBe('in_progress');
    expect(midway.request_counts!.completed).toBeLessThan(LINES);
    const pgid = gateway.child.pid!;
    // workerd (which runs the Durable Objects) is in the group the kill goes to.
    expect(groupMembers(pgid).map((p) => p.comm)).toContain('workerd');
    await gateway.crash();
    expect(groupMembers(pgid)).toEqual([]);
    expect(await isListening(options.port)).toBe(false);
    const upstreamAtKill = (await sim.log()).length;

    // Same storage, same vars, same port.
    gateway = await startWrangler(options);
    const after = client(gateway.url, key);
    const done = await waitForBatch(after, batch.id, { timeoutMs: 90_000, intervalMs: 250 });
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });

    const output = await outputLines(after, done.output_file_id);
    const errors = await outputLines(after, done.error_file_id);
    expect(errors.map((l) => [l.custom_id, l.error ?? l.response?.status_code])).toEqual([]);
    expect(duplicates([...output, ...errors])).toEqual([]);
    expect(output.map((l) => l.custom_id)).toEqual(customIds);
    output.forEach((line, i) => {
      expect(line.response?.status_code, line.custom_id).toBe(200);
      expect(line.response!.body.choices[0]!.message.content, line.custom_id).toBe(`prompt ${i}`);
    });
    // The restarted gateway did the rest of the work (lines in flight at the kill may have run twice upstream).
    const upstream = (await sim.log()).length;
    expect(upstreamAtKill).toBeLessThan(LINES);
    expect(upstream).toBeGreaterThanOrEqual(LINES);
  });
});
