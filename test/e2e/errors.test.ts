// Failures as the openai SDK surfaces them: typed status errors before a response, APIError inside a stream.
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { caught, deploy, newKey, sdk, unique } from './helpers/gateway';
import { settledRows } from './helpers/spend';

const PROMPT = 'one two three four five six';
const user = (content: string) => [{ role: 'user' as const, content }];

/** Iterates a stream to its end or its failure; returns the text received and what was thrown (if anything). */
async function drain(stream: AsyncIterable<ChatCompletionChunk>): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe('errors before the response', () => {
  it('an unknown model raises NotFoundError (404), streaming or not', async () => {
    const model = unique('no-such-model');
    for (const stream of [false, true]) {
      const err = await caught(() => sdk().chat.completions.create({ model, messages: user('hi'), stream }));
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      const e = err as InstanceType<typeof OpenAI.NotFoundError>;
      expect(e.status).toBe(404);
      expect(e.code).toBe('404');
      expect(e.type).toBe('invalid_request_error');
      expect(e.param).toBe('model');
      expect(e.message).toContain(`The model \`${model}\` does not exist`);
    }
  });

  it('an invalid body raises BadRequestError (400) naming the field', async () => {
    const { group } = await deploy();
    const err = await caught(() => sdk().chat.completions.create({ model: group, messages: [] }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e).toMatchObject({ status: 400, code: '400', type: 'invalid_request_error', param: 'messages' });
  });

  it("vLLM's own 400 (context length) keeps its status and message", async () => {
    const { group } = await deploy({ sim: { maxModelLen: 8 } });
    const err = await caught(() => sdk().chat.completions.create({ model: group, messages: user(PROMPT), max_tokens: 4 }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.message).toContain("This model's maximum context length is 8 tokens");
  });
});

describe('errors inside a stream', () => {
  it('an upstream cut mid-stream makes the iteration throw an APIError, not end cleanly', async () => {
    const { group, sim } = await deploy({ sim: { cutAfterChunks: 2 } });
    const { key } = await newKey();
    const stream = await sdk(key).chat.completions.create({ model: group, messages: user(PROMPT), stream: true });
    const { text, error } = await drain(stream);
    // Events 1 and 2 (the role delta and the first word) arrived before the cut.
    expect(text).toBe('one');
    expect(error).toBeInstanceOf(APIError);
    const e = error as APIError;
    expect(e.status).toBeUndefined(); // the HTTP status was 200: the failure came as an SSE error event
    expect(e.error).toMatchObject({ type: 'upstream_error', code: '502', message: expect.any(String) });
    expect(e.message.length).toBeGreaterThan(0);
    expect((await sim.log())[0]!.completed).toBe(false);
    // The key's spend log records the request as a failure.
    const [row] = await settledRows(key, 1);
    expect(row).toMatchObject({ model_group: group, status: 'failure', call_type: 'acompletion' });
  });

  it("vLLM's in-stream error event reaches the SDK as an APIError with vLLM's message", async () => {
    const { group } = await deploy({ sim: { errorAfterChunks: 3 } });
    const stream = await sdk().chat.completions.create({ model: group, messages: user(PROMPT), stream: true });
    const { text, error } = await drain(stream);
    expect(text).toBe('one two');
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('simulated mid-stream error');
  });
});

describe('upstream failures and client disconnects', () => {
  it('one upstream 500 is retried by the gateway: the SDK sees a success that says it was retried', async () => {
    const { group, sim } = await deploy({ sim: { failNext: 1 } });
    const { data, response } = await sdk().chat.completions.create({ model: group, messages: user('retry me') }).withResponse();
    expect(data.choices[0]!.message.content).toBe('retry me');
    expect(response.headers.get('x-litellm-attempted-retries')).toBe('1');
    expect((await sim.log()).map((e) => e.status)).toEqual([500, 200]);
  });

  it('an upstream that keeps answering 503 raises InternalServerError with its status and message', async () => {
    const { group, sim } = await deploy({ sim: { status: 503 } });
    const err = await caught(() => sdk().chat.completions.create({ model: group, messages: user('hi') }));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    const e = err as InstanceType<typeof OpenAI.InternalServerError>;
    expect(e.status).toBe(503);
    expect(e.code).toBe('503');
    expect((await sim.log()).length).toBeGreaterThanOrEqual(1);
  });

  it('a client that stops reading a stream makes the gateway abort the upstream request, and it is still logged', async () => {
    const { group, sim } = await deploy({ sim: { chunkDelayMs: 100 }, info: { input_cost_per_token: 1e-6 } });
    const { key } = await newKey();
    const words = Array.from({ length: 16 }, (_, i) => `w${i}`).join(' ');
    const stream = await sdk(key).chat.completions.create({ model: group, messages: user(words), stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) received++;
      if (received === 2) break; // the SDK aborts the HTTP request
    }
    const [entry] = await sim.waitForLog((log) => log[0]?.aborted === true, 5000);
    expect(entry!.completed).toBe(false);
    const [row] = await settledRows(key, 1);
    expect(row).toMatchObject({ model_group: group, call_type: 'acompletion' });
    expect(row!.completion_tokens).toBeLessThan(16);
  });
});
