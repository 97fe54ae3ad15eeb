// JSON answers too large to hold in an isolate (an embeddings answer for many inputs at a high dimension runs to tens
// of MiB) pass through as they arrive; their usage is read on the way and booked at the end.
import { describe, expect, it } from 'vitest';
import { call, simDeployment } from '../helpers/gateway';
import { newKey, settledRows } from '../helpers/keys';
import type { SimConfigPatch } from '../helpers/sim';

const PRICE = 0.001;
/** 150 inputs × 1,024 dimensions: ~3 MiB of JSON, well past what the gateway reads whole (1 MiB). */
const INPUTS = Array.from({ length: 150 }, (_, i) => `passage number ${i} about something`);

interface Embeddings {
  data: { embedding: number[]; index: number }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

/** A priced deployment, a key, and the deployment's own answer; `delivery` (how the simulator sends JSON) after it. */
async function setup(delivery: SimConfigPatch = {}) {
  const deployment = await simDeployment({ sim: { embeddingDim: 1024 }, info: { input_cost_per_token: PRICE } });
  const key = await newKey();
  // What the deployment itself answers, for comparison (the simulator's vectors are deterministic).
  const direct = await fetch(`${deployment.sim.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-model', input: INPUTS }),
  });
  const expected = (await direct.json()) as Embeddings;
  await deployment.sim.configure(delivery);
  return { ...deployment, key, expected };
}

const embed = (group: string, key: string, input: unknown = INPUTS): Promise<Response> =>
  call('/v1/embeddings', { method: 'POST', key, json: { model: group, input } });

describe('large JSON answers', () => {
  it('pass through whole and are booked with the usage read on the way (Content-Length declared)', async () => {
    const { group, key, expected, sim } = await setup();
    const res = await embed(group, key.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-call-id')).toBeTruthy();
    expect(res.headers.get('x-litellm-model-group')).toBe(group);
    // Unknown until the last byte, after the headers have gone.
    expect(res.headers.get('x-litellm-response-cost')).toBeNull();
    const text = await res.text();
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const body = JSON.parse(text) as Embeddings;
    expect(body.data).toEqual(expected.data);
    expect(body.usage).toEqual(expected.usage);
    expect((await sim.log()).at(-1)?.status).toBe(200);

    const [row] = await settledRows(key.token, 1);
    expect(row!.prompt_tokens).toBe(expected.usage.prompt_tokens);
    expect(row!.status).toBe('success');
    expect(row!.usage_estimated).toBe(false);
    expect(row!.spend).toBeCloseTo(expected.usage.prompt_tokens * PRICE, 9);
  });

  it('without Content-Length: a large answer passes through, a small one is still read whole and priced', async () => {
    const { group, key, expected } = await setup({ chunkedJson: true });
    const large = await embed(group, key.key);
    expect(large.headers.get('x-litellm-response-cost')).toBeNull();
    expect(((await large.json()) as Embeddings).data).toEqual(expected.data);

    const small = await embed(group, key.key, 'one two three');
    expect(small.status).toBe(200);
    const usage = ((await small.json()) as Embeddings).usage;
    expect(Number(small.headers.get('x-litellm-response-cost'))).toBeCloseTo(usage.prompt_tokens * PRICE, 9);

    const rows = await settledRows(key.token, 2);
    expect(rows.map((r) => r.prompt_tokens).sort((a, b) => a - b)).toEqual([usage.prompt_tokens, expected.usage.prompt_tokens].sort((a, b) => a - b));
    expect(rows.every((r) => r.status === 'success' && !r.usage_estimated)).toBe(true);
  });

  it('an upstream that breaks off mid-answer breaks the client body, and the call is booked as failed, estimated', async () => {
    const { group, key } = await setup({ cutJsonAfterBytes: 1536 * 1024 });
    const res = await embed(group, key.key);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const [row] = await settledRows(key.token, 1);
    expect(row!.status).toBe('failure');
    expect(row!.usage_estimated).toBe(true);
    // The prompt was processed: its estimate is billed, not nothing.
    expect(row!.prompt_tokens).toBeGreaterThan(0);
  });
});
