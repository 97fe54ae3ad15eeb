// LiteLLM's response headers: what stays the same for a deployment comes from a template kept per isolate, what
// belongs to the call is set on each answer. Consecutive answers of one deployment must each carry their own call
// id, cost, attempt count and key figures, in JSON answers and streams alike.
import { describe, expect, it } from 'vitest';
import { call, readSse, simDeployment } from '../helpers/gateway';
import { newKey } from '../helpers/keys';

const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };
const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  max_tokens: 8,
  ...extra,
});

describe("LiteLLM's headers on consecutive answers of one deployment", () => {
  it('each JSON answer carries its own call id, cost and attempt count; the deployment ones stay', async () => {
    const { group, id, sim } = await simDeployment({ info: PRICE });
    const answers = [];
    for (const content of ['short', 'a much longer prompt than the first one, with many more words in it']) {
      const res = await call('/v1/chat/completions', { method: 'POST', json: chat(group, content) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      answers.push({ res, usage: body.usage });
    }
    const [a, b] = answers;
    for (const { res, usage } of answers) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-litellm-model-group')).toBe(group);
      expect(res.headers.get('x-litellm-model-id')).toBe(id);
      expect(res.headers.get('x-litellm-attempted-retries')).toBe('0');
      expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(usage.prompt_tokens * 0.001 + usage.completion_tokens * 0.002, 9);
      expect(Number(res.headers.get('x-litellm-overhead-duration-ms'))).toBeGreaterThanOrEqual(0);
    }
    expect(a!.usage.prompt_tokens).not.toBe(b!.usage.prompt_tokens);
    expect(a!.res.headers.get('x-litellm-response-cost')).not.toBe(b!.res.headers.get('x-litellm-response-cost'));
    expect(a!.res.headers.get('x-litellm-call-id')).not.toBe(b!.res.headers.get('x-litellm-call-id'));

    // A retried call says so; the next one, answered at once, does not inherit it.
    await sim.configure({ failNext: 1, failNextStatus: 429, retryAfterSeconds: 0 });
    const retried = await call('/v1/chat/completions', { method: 'POST', json: chat(group, 'again') });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('x-litellm-attempted-retries')).toBe('1');
    const next = await call('/v1/chat/completions', { method: 'POST', json: chat(group, 'again') });
    expect(next.headers.get('x-litellm-attempted-retries')).toBe('0');
    expect(next.headers.get('x-litellm-model-id')).toBe(id);
  });

  it("a key's answers carry its own spend and limits; a master-key answer right after carries none of them", async () => {
    const { group } = await simDeployment({ info: PRICE });
    const k = await newKey({ rpm_limit: 1000 });
    const first = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: chat(group, 'one') });
    const second = await call('/v1/chat/completions', { method: 'POST', key: k.key, json: chat(group, 'two') });
    expect(first.headers.get('x-litellm-key-spend')).toBe('0');
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(Number(second.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(Number(first.headers.get('x-ratelimit-remaining-requests')));
    const master = await call('/v1/chat/completions', { method: 'POST', json: chat(group, 'three') });
    expect(master.status).toBe(200);
    expect(master.headers.get('x-litellm-key-spend')).toBeNull();
    expect(master.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('streams carry the SSE headers and their own call id', async () => {
    const { group, id } = await simDeployment({ info: PRICE });
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const res = await call('/v1/chat/completions', { method: 'POST', json: chat(group, `stream ${i}`, { stream: true }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-litellm-model-id')).toBe(id);
      expect(res.headers.get('x-litellm-response-cost')).toBeNull();
      ids.push(res.headers.get('x-litellm-call-id'));
      expect((await readSse(res)).at(-1)).toBe('[DONE]');
    }
    expect(ids[0]).toBeTruthy();
    expect(ids[0]).not.toBe(ids[1]);
  });
});
