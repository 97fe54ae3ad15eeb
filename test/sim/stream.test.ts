// SSE framing and the streaming knobs: usage chunks, chunk delay, cut, in-stream error, client abort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHub, type SimHub } from './index';
import { post, sseData, waitFor } from './test-utils';

let hub: SimHub;
let url: string;

beforeAll(async () => {
  hub = await startSimHub();
  url = hub.url;
});
afterAll(() => hub.close());

type Chunk = { id: string; object: string; choices: Record<string, unknown>[]; usage?: Record<string, number> };

const streamChat = (extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> =>
  post(`${url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'a b c' }], stream: true, ...extra }, headers);

describe('chat streaming', () => {
  it('frames role chunk, one chunk per word, finish on the last, usage, [DONE]', async () => {
    const res = await streamChat({ stream_options: { include_usage: true } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = sseData(text);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Chunk[];
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'a' },
      { content: ' b' },
      { content: ' c' },
      undefined,
    ]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, 'stop', undefined]);
    expect(chunks[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
    expect(chunks.slice(0, 4).every((c) => c.usage === undefined)).toBe(true);
  });

  it('has no usage chunk without include_usage; continuous stats put usage on every chunk', async () => {
    const plain = sseData(await (await streamChat()).text()) as Chunk[];
    expect(plain).toHaveLength(5);
    const continuous = sseData(
      await (await streamChat({ stream_options: { include_usage: true, continuous_usage_stats: true } })).text(),
    ).slice(0, -1) as Chunk[];
    expect(continuous.map((c) => c.usage?.completion_tokens)).toEqual([0, 1, 2, 3, 3]);
  });

  it('interleaves n choices', async () => {
    const chunks = sseData(await (await streamChat({ n: 2, max_tokens: 1 })).text()).slice(0, -1) as Chunk[];
    expect(chunks.map((c) => [c.choices[0]?.index, c.choices[0]?.delta])).toEqual([
      [0, { role: 'assistant', content: '' }],
      [1, { role: 'assistant', content: '' }],
      [0, { content: 'a' }],
      [1, { content: 'a' }],
    ]);
    expect(chunks[3]?.choices[0]?.finish_reason).toBe('length');
  });

  it('streams completions as text chunks without a role chunk', async () => {
    const res = await post(`${url}/v1/completions`, { prompt: 'x y', stream: true, stream_options: { include_usage: true } });
    const chunks = sseData(await res.text()).slice(0, -1) as Chunk[];
    expect(chunks.map((c) => c.choices[0]?.text)).toEqual(['x', ' y', undefined]);
    expect(chunks[0]?.object).toBe('text_completion');
    expect(chunks[2]?.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  });

  it('streams transcriptions', async () => {
    const form = new FormData();
    form.append('file', new Blob([Uint8Array.from([1, 2])]), 'a.wav');
    form.append('stream', 'true');
    const res = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    const chunks = sseData(await res.text()).slice(0, -1) as Chunk[];
    expect(chunks.every((c) => c.object === 'transcription.chunk')).toBe(true);
    const deltas = chunks.map((c) => (c.choices[0]?.delta as { content: string }).content);
    expect(deltas.join('')).toBe('sim transcript of 2 bytes');
  });
});

describe('stream knobs', () => {
  it('waits chunkDelayMs between events', async () => {
    const started = Date.now();
    await (await streamChat({}, { 'x-sim-chunk-delay-ms': '30' })).text(); // 5 events → 4 gaps
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('firstChunkDelayMs sends the headers at once and holds the first event back', async () => {
    const started = Date.now();
    const res = await streamChat({}, { 'x-sim-first-chunk-delay-ms': '400' });
    const headersAfter = Date.now() - started;
    await res.text();
    expect(headersAfter).toBeLessThan(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('cutAfterChunks kills the connection after N events, no [DONE]', async () => {
    hub.instance.clearLog();
    const res = await streamChat({}, { 'x-sim-cut-after-chunks': '2' });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = '';
    const decoder = new TextDecoder();
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          received += decoder.decode(value);
        }
      })(),
    ).rejects.toThrow();
    expect(sseData(received)).toHaveLength(2);
    await waitFor(() => hub.instance.log[0]?.status === 200);
    expect(hub.instance.log[0]).toMatchObject({ completed: false, aborted: false });
  });

  it('errorAfterChunks sends vLLM in-stream error then [DONE] under HTTP 200', async () => {
    const sim = await hub.spawn({ errorAfterChunks: 1 });
    try {
      const res = await post(`${sim.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'a b' }], stream: true });
      expect(res.status).toBe(200);
      const events = sseData(await res.text());
      expect(events).toHaveLength(3);
      expect(events[1]).toEqual({
        error: { message: 'simulated mid-stream error', type: 'InternalServerError', param: null, code: 500 },
      });
      expect(events[2]).toBe('[DONE]');
    } finally {
      await sim.close();
    }
  });

  it('logs aborted when the client disconnects mid-stream', async () => {
    hub.instance.clearLog();
    const res = await streamChat({}, { 'x-sim-chunk-delay-ms': '200' });
    const reader = res.body!.getReader();
    await reader.read(); // the role chunk
    await reader.cancel(); // closes the connection
    await waitFor(() => hub.instance.log[0]?.aborted === true);
    expect(hub.instance.log[0]).toMatchObject({ completed: false, status: 200 });
  });
});
