import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { maxPromptTokens } from '../../src/accounting/estimate';
import { MIN_AUDIO_BYTES_PER_SECOND } from '../../src/accounting/upload-bound';
import { runInference } from '../../src/proxy/inference';
import { JSON_ROUTES, jsonInference } from '../../src/proxy/json-inference';
import type { CallContext } from '../../src/proxy/call-context';
import { GatewayError } from '../../src/http/errors';
import { makeWav } from '../helpers/audio';
import { B, FORM_TYPE, formBytes, postDirect } from '../helpers/broken-body';
import { call, expectEnvelope, simDeployment } from '../helpers/gateway';
import { keySpend, newKey, settledRows } from '../helpers/keys';
import { routerSettings } from '../helpers/routing';

/** The simulator echoes "a b c": 3 prompt and 3 completion tokens. Admission bounds the prompt at 5 + 16 + 8. */
const chat = (model: string) => ({ model, max_tokens: 3, messages: [{ role: 'user', content: 'a b c' }] });

afterEach(async () => {
  await routerSettings({});
});

describe('the reservation covers every deployment a request can reach', () => {
  it('a fallback to a pricier group is reserved at its price: 8 parallel chats on a 0.05 budget, one runs', async () => {
    const cheap = await simDeployment({ sim: { status: 500 }, info: { input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 } });
    const pricey = await simDeployment({ sim: { latencyMs: 300 }, info: { input_cost_per_token: 0.1, output_cost_per_token: 0.2 } });
    await routerSettings({ fallbacks: [{ [cheap.group]: [pricey.group] }], num_retries: 0 });
    const k = await newKey({ max_budget: 0.05 });
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => call('/v1/chat/completions', { method: 'POST', key: k.key, json: chat(cheap.group) })),
    );
    const ok = responses.filter((r) => r.status === 200);
    // Before: each reserved the cheap group's worst case (0.0035), so all 8 ran on `pricey` at 0.9 each: spend 7.2.
    expect(ok).toHaveLength(1);
    expect(ok[0]!.headers.get('x-litellm-model-group')).toBe(pricey.group);
    for (const r of responses.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(429);
      expect(expectEnvelope(await r.json()).type).toBe('budget_exceeded');
    }
    // Refusals at admission leave no spend-log row.
    await settledRows(k.token, 1);
    // One call at 3 × 0.1 + 3 × 0.2; the bound (max_budget + one reservation of (29 × 0.1 + 3 × 0.2)) holds.
    expect(await keySpend(k.key)).toBeCloseTo(0.9, 9);
  });

  it('context_window_fallbacks count as well', async () => {
    const short = await simDeployment({ sim: { maxModelLen: 8 }, info: { input_cost_per_token: 0.0001 } });
    const long = await simDeployment({ sim: { latencyMs: 300 }, info: { input_cost_per_token: 0.1, output_cost_per_token: 0.2 } });
    await routerSettings({ context_window_fallbacks: [{ [short.group]: [long.group] }] });
    const k = await newKey({ max_budget: 0.05 });
    const body = { model: short.group, max_tokens: 50, messages: [{ role: 'user', content: 'a b c' }] };
    const responses = await Promise.all(Array.from({ length: 4 }, () => call('/v1/chat/completions', { method: 'POST', key: k.key, json: body })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(3);
    await Promise.all(responses.map((r) => r.text()));
  });
});

/** A transcription form: the audio, the model named in x-litellm-model (so nothing is held). */
function transcriptionForm(audio: Uint8Array): Uint8Array {
  const head = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
  return formBytes(head, audio, `\r\n--${B}--\r\n`);
}

function transcribe(key: string, group: string, form: Uint8Array, chunked = false): Promise<Response> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(form);
      controller.close();
    },
  });
  const headers = { 'content-type': FORM_TYPE, 'x-litellm-model': group };
  return postDirect('/v1/audio/transcriptions', { key, headers, body, ...(chunked ? {} : { contentLength: form.length }) });
}

describe('transcriptions reserve their audio', () => {
  const PER_SECOND = { input_cost_per_second: 0.1 };

  it('10 parallel 10 s WAVs at $0.1/s on a 1.5 budget: one runs (its bound is Content-Length ÷ 750 B/s)', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 300 }, info: PER_SECOND });
    const k = await newKey({ max_budget: 1.5 });
    const form = transcriptionForm(makeWav(10));
    const responses = await Promise.all(Array.from({ length: 10 }, () => transcribe(k.key, group, form)));
    const ok = responses.filter((r) => r.status === 200);
    // Before: uploads reserved $0 and all 10 ran, spend 10.
    expect(ok).toHaveLength(1);
    expect(ok[0]!.headers.get('x-litellm-response-cost')).toBe('1');
    for (const r of responses.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(429);
      expect(expectEnvelope(await r.json()).type).toBe('budget_exceeded');
    }
    await settledRows(k.token, 1);
    expect(await keySpend(k.key)).toBeCloseTo(1, 9);
    // The reservation is released at settlement: the rest of the budget is usable, one call at a time.
    const next = await transcribe(k.key, group, form);
    expect(next.status).toBe(200);
    await next.text();
    expect(Math.ceil(form.length / MIN_AUDIO_BYTES_PER_SECOND) * 0.1).toBeGreaterThan(1.5);
  });

  it('a chunked upload (no Content-Length) of a key with a budget runs alone; a key without a budget is not limited', async () => {
    const { group } = await simDeployment({ sim: { latencyMs: 300 }, info: PER_SECOND });
    const form = transcriptionForm(makeWav(1));
    const budgeted = await newKey({ max_budget: 1.5 });
    const two = await Promise.all([transcribe(budgeted.key, group, form, true), transcribe(budgeted.key, group, form, true)]);
    expect(two.map((r) => r.status).sort()).toEqual([200, 429]);
    await Promise.all(two.map((r) => r.text()));

    const free = await newKey();
    const three = await Promise.all(Array.from({ length: 3 }, () => transcribe(free.key, group, form, true)));
    expect(three.map((r) => r.status)).toEqual([200, 200, 200]);
    await Promise.all(three.map((r) => r.text()));
    await settledRows(free.token, 3);
    expect(await keySpend(free.key)).toBeCloseTo(0.3, 9);
  });
});

describe('the prompt bound counts tools', () => {
  const messages = [{ role: 'user', content: 'weather?' }];
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'x'.repeat(5000),
        parameters: { type: 'object', properties: { city: { type: 'string', description: 'y'.repeat(3000) } } },
      },
    },
  ];

  it('tool definitions by their JSON length', () => {
    const plain = maxPromptTokens({ messages });
    expect(maxPromptTokens({ messages, tools })).toBeGreaterThanOrEqual(plain + JSON.stringify(tools).length);
    expect(maxPromptTokens({ messages, functions: tools.map((t) => t.function) })).toBeGreaterThan(plain + 8000);
  });

  it("an assistant turn's tool_calls arguments, and a tool result's id", () => {
    const args = JSON.stringify({ city: 'z'.repeat(4000) });
    const toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }];
    const turns = [...messages, { role: 'assistant', content: null, tool_calls: toolCalls }, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }];
    const withoutCalls = maxPromptTokens({ messages: [...messages, { role: 'assistant', content: null }, { role: 'tool', content: 'sunny' }] });
    expect(maxPromptTokens({ messages: turns })).toBeGreaterThanOrEqual(withoutCalls + JSON.stringify(toolCalls).length + 'call_1'.length);
  });

  it('non-ASCII text by its UTF-8 size: a rare CJK character can cost three byte-level tokens', () => {
    // 1,000 CJK Extension A characters: 3 UTF-8 bytes each, and byte-level BPE vocabularies often split them into 3.
    const cjk = '\u3400'.repeat(1000);
    const emoji = '\u{1F600}'.repeat(100); // 4 bytes each (two UTF-16 units)
    const template = maxPromptTokens({ messages: [{ role: 'user', content: '' }] });
    expect(maxPromptTokens({ messages: [{ role: 'user', content: cjk }] })).toBeGreaterThanOrEqual(template + 3000);
    expect(maxPromptTokens({ messages: [{ role: 'user', content: emoji }] })).toBeGreaterThanOrEqual(template + 400);
    expect(maxPromptTokens({ messages: [{ role: 'user', content: 'a'.repeat(1000) }] })).toBe(template + 1000);
    expect(maxPromptTokens({ messages, tools: [{ type: 'function', function: { name: 'f', description: cjk } }] })).toBeGreaterThan(3000);
  });

  it('tools nested 10,000 levels deep are measured, not a stack overflow', () => {
    let deep: unknown = 'a';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(maxPromptTokens({ messages, tools: [{ type: 'function', function: { name: 'f', parameters: deep } }] })).toBeGreaterThan(20_000);
  });
});

describe('batch lines', () => {
  it('are reserved at the batch price they are billed at', async () => {
    // Live worst case: 29 × 0.001 + 3 × 0.002 = 0.035; at batch prices (half): 0.0175. Budget 0.03 lets a second
    // line in beside a first one only if the first reserved at the batch price.
    const { group } = await simDeployment({ sim: { latencyMs: 300 }, info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } });
    const k = await newKey({ max_budget: 0.03 });
    const settled: Promise<unknown>[] = [];
    const line = (n: number): Promise<number> => {
      const ctx: CallContext = {
        env,
        caller: { kind: 'key', hash: k.token },
        requestId: `reservation-test-${k.token.slice(0, 8)}-${n}`,
        startedAt: Date.now(),
        waitUntil: (p) => settled.push(p),
        batch: true,
        upstreamMs: 0,
      };
      const text = JSON.stringify(chat(group));
      return runInference(ctx, jsonInference(JSON_ROUTES.chat, { text, value: JSON.parse(text) as Record<string, unknown> })).then(
        async (res) => (await res.text(), res.status),
        (err: unknown) => (err instanceof GatewayError && err.kind === 'budget_exceeded' ? 429 : 500),
      );
    };
    expect(await Promise.all([line(1), line(2)])).toEqual([200, 200]);
    await Promise.all(settled);
    // Billed at batch prices: 2 × (3 × 0.0005 + 3 × 0.001).
    expect(await keySpend(k.key)).toBeCloseTo(0.009, 9);
  });
});
