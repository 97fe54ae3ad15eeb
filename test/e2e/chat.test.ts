// Chat and text completions through the official openai SDK, JSON and streaming, plus LiteLLM's response headers.
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Completion } from 'openai/resources/completions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploy, sdk, type Deployment } from './helpers/gateway';

const PROMPT = 'the quick brown fox jumps';
const user = (content: string) => [{ role: 'user' as const, content }];
// Prices chosen so prompt*in + completion*out is easy to check by hand.
const IN = 0.000_001_5;
const OUT = 0.000_004;

let dep: Deployment;
beforeAll(async () => {
  dep = await deploy({ served: 'Qwen/Qwen3-8B', info: { input_cost_per_token: IN, output_cost_per_token: OUT } });
});

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('chat.completions.create', () => {
  it('answers JSON: the echo of the last user message, with usage', async () => {
    const res = await sdk().chat.completions.create({
      model: dep.group,
      messages: [{ role: 'system', content: 'be brief' }, ...user(PROMPT)],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: PROMPT });
    expect(res.choices[0]!.finish_reason).toBe('stop');
    // Prompt tokens count every message's words: "be brief" + the five words.
    expect(res.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
  });

  it('honours max_tokens: the echo is cut and finish_reason is "length"', async () => {
    const res = await sdk().chat.completions.create({ model: dep.group, messages: user(PROMPT), max_tokens: 2 });
    expect(res.choices[0]!.message.content).toBe('the quick');
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });

  it('streams deltas whose concatenation is the echo, with no usage chunk unless asked for', async () => {
    const { data: stream, response } = await sdk()
      .chat.completions.create({ model: dep.group, messages: user(PROMPT), stream: true })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-litellm-model-group')).toBe(dep.group);
    const chunks = await collect(stream);
    expect(textOf(chunks)).toBe(PROMPT);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    // The gateway asked vLLM for usage to bill the stream; the client did not, so it must not see that chunk.
    expect(chunks.filter((c) => c.usage != null)).toEqual([]);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
  });

  it('streams a long multi-byte answer intact (hundreds of events coalesced and split by TCP)', async () => {
    const vocabulary = ['héllo', 'wörld', '日本語の', 'テキスト', '🎉👍', '¿qué?'];
    const text = Array.from({ length: 400 }, (_, i) => `${vocabulary[i % vocabulary.length]}${i}`).join(' ');
    const stream = await sdk().chat.completions.create({ model: dep.group, messages: user(text), max_tokens: 400, stream: true });
    const chunks = await collect(stream);
    expect(textOf(chunks)).toBe(text);
    expect(chunks).toHaveLength(401); // the role delta + one chunk per word: nothing lost or duplicated
  });

  it('n: 2 streams two interleaved choices, each the full echo', async () => {
    const stream = await sdk().chat.completions.create({ model: dep.group, messages: user('red green blue'), n: 2, stream: true });
    const texts = ['', ''];
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    expect(texts).toEqual(['red green blue', 'red green blue']);
  });

  it("the SDK's chat.completions.stream() helper assembles the final completion", async () => {
    const runner = sdk().chat.completions.stream({ model: dep.group, messages: user(PROMPT) });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message).toMatchObject({ role: 'assistant', content: PROMPT });
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(deltas.join('')).toBe(PROMPT);
  });

  it('with stream_options.include_usage, exactly one final chunk carries usage (and no choices)', async () => {
    const stream = await sdk().chat.completions.create({
      model: dep.group,
      messages: user(PROMPT),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(textOf(chunks)).toBe(PROMPT);
    const withUsage = chunks.filter((c) => c.usage != null);
    expect(withUsage).toHaveLength(1);
    expect(chunks.at(-1)).toBe(withUsage[0]);
    expect(withUsage[0]!.choices).toEqual([]);
    expect(withUsage[0]!.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });
});

describe('completions.create', () => {
  it('answers JSON: the echo of the prompt', async () => {
    const res = await sdk().completions.create({ model: dep.group, prompt: 'alpha beta gamma delta', max_tokens: 3 });
    expect(res.object).toBe('text_completion');
    expect(res.choices[0]).toMatchObject({ index: 0, text: 'alpha beta gamma', finish_reason: 'length' });
    expect(res.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  it('streams text pieces whose concatenation is the echo', async () => {
    const stream = await sdk().completions.create({ model: dep.group, prompt: 'alpha beta gamma', stream: true });
    const chunks: Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe('alpha beta gamma');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.filter((c) => c.usage != null)).toEqual([]);
  });
});

describe('LiteLLM response headers', () => {
  it('withResponse(): call id, model group, deployment id and the exact response cost', async () => {
    const { data, response } = await sdk()
      .chat.completions.create({ model: dep.group, messages: user(PROMPT), max_tokens: 3 })
      .withResponse();
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3 });
    const h = response.headers;
    expect(h.get('x-litellm-call-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(h.get('x-litellm-model-group')).toBe(dep.group);
    expect(h.get('x-litellm-model-id')).toBe(dep.id);
    expect(Number(h.get('x-litellm-response-cost'))).toBeCloseTo(5 * IN + 3 * OUT, 15);
    expect(Number(h.get('x-litellm-overhead-duration-ms'))).toBeGreaterThanOrEqual(0);
  });

  it("asResponse(): the raw response carries the headers; the call id is always the gateway's own", async () => {
    const raw = await sdk()
      .completions.create({ model: dep.id, prompt: 'one two' }, { headers: { 'x-litellm-call-id': 'client-trace-42' } })
      .asResponse();
    expect(raw.status).toBe(200);
    // Settlement is idempotent by call id, so a client-chosen id is never reused (it could replay one id, pay once).
    expect(raw.headers.get('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    // A deployment id works as a model name; the headers still name its group.
    expect(raw.headers.get('x-litellm-model-group')).toBe(dep.group);
    expect(raw.headers.get('x-litellm-model-id')).toBe(dep.id);
    expect(Number(raw.headers.get('x-litellm-response-cost'))).toBeCloseTo(2 * IN + 2 * OUT, 15);
    const body = (await raw.json()) as Completion;
    expect(body.choices[0]!.text).toBe('one two');
  });

  it('every call gets its own call id', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async () => {
        const { response } = await sdk().chat.completions.create({ model: dep.group, messages: user('x') }).withResponse();
        return response.headers.get('x-litellm-call-id');
      }),
    );
    expect(new Set(ids).size).toBe(3);
  });
});
