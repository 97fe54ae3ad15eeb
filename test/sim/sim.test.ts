// The simulator's vLLM routes over real HTTP: shapes, deterministic content, errors, auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHub, type SimHub } from './index';
import { post, wavFile } from './test-utils';

let hub: SimHub;
let url: string;

beforeAll(async () => {
  hub = await startSimHub({ config: { models: ['m1', 'm2'], matryoshkaModels: ['m2'] } });
  url = hub.url;
});
afterAll(() => hub.close());

const chat = (body: Record<string, unknown>): Promise<Response> =>
  post(`${url}/v1/chat/completions`, { model: 'm1', ...body });

describe('chat completions', () => {
  it('echoes the last user message with usage and vLLM fields', async () => {
    const res = await chat({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'one two' }, { type: 'image_url', image_url: { url: 'x' } }] },
        { role: 'assistant', content: null },
        { role: 'user', content: 'tell me  a story' },
      ],
      top_k: 5, // unknown/extra fields are accepted
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'm1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'tell me a story', reasoning_content: null, tool_calls: [] },
          logprobs: null,
          finish_reason: 'stop',
          stop_reason: null,
        },
      ],
      usage: { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12, prompt_tokens_details: null },
      prompt_logprobs: null,
    });
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
  });

  it('truncates at max_tokens with finish_reason length, n gives identical choices', async () => {
    const body = (await (await chat({ messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 2, n: 3 })).json()) as {
      choices: { index: number; message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'a b', 'length'],
      [1, 'a b', 'length'],
      [2, 'a b', 'length'],
    ]);
    expect(body.usage.completion_tokens).toBe(6);
  });

  it('says hello when there is no user text; max_completion_tokens wins', async () => {
    const body = (await (await chat({ messages: [{ role: 'system', content: 'x' }], max_completion_tokens: 1 })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(body.choices[0]?.message.content).toBe('hello');
  });

  it('rejects what vLLM rejects', async () => {
    const cases: [Response, number, string][] = [
      [await chat({ model: 'nope', messages: [] }), 404, 'The model `nope` does not exist.'],
      [await chat({ messages: [], stream_options: { include_usage: true } }), 400, 'Stream options can only be defined when `stream=True`.'],
      [await post(`${url}/v1/chat/completions`, '{not json'), 400, 'JSON decode error'],
      [await chat({}), 400, 'messages: Field required'],
      [await chat({ messages: [], max_tokens: 0 }), 400, 'max_tokens must be at least 1, got 0.'],
    ];
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status);
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      expect(error.message).toBe(message);
      expect(error.code).toBe(status);
      expect(error.type).toBe(status === 404 ? 'NotFoundError' : 'BadRequestError');
    }
  });

  it('enforces maxModelLen with vLLM wording', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'w '.repeat(4000) }], max_tokens: 1000 });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message:
          "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    });
  });
});

describe('completions', () => {
  it('handles a prompt list: one choice per prompt, usage summed', async () => {
    const res = await post(`${url}/v1/completions`, { model: 'm2', prompt: ['x y z', 'q'], max_tokens: 2 });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'text_completion',
      model: 'm2',
      choices: [
        { index: 0, text: 'x y', finish_reason: 'length', stop_reason: null, logprobs: null },
        { index: 1, text: 'q', finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
    });
    expect(body.id).toMatch(/^cmpl-/);
  });
});

describe('embeddings', () => {
  type Embeddings = { data: { index: number; embedding: number[] | string }[]; usage: Record<string, unknown> };

  it('returns deterministic unit vectors and usage', async () => {
    const get = async (): Promise<Embeddings> =>
      (await (await post(`${url}/v1/embeddings`, { model: 'm1', input: ['a b', 'c'] })).json()) as Embeddings;
    const [first, second] = [await get(), await get()];
    expect(first.data).toEqual(second.data);
    const vector = first.data[0]?.embedding as number[];
    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    expect(first.data[1]?.embedding).not.toEqual(vector);
    expect(first.usage).toEqual({ prompt_tokens: 3, total_tokens: 3, completion_tokens: 0, prompt_tokens_details: null });
  });

  it('encodes base64 as float32 little-endian', async () => {
    const floats = (await (await post(`${url}/v1/embeddings`, { model: 'm1', input: 'a b' })).json()) as Embeddings;
    const b64 = (await (await post(`${url}/v1/embeddings`, { model: 'm1', input: 'a b', encoding_format: 'base64' })).json()) as Embeddings;
    const bytes = Buffer.from(b64.data[0]?.embedding as string, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    (floats.data[0]?.embedding as number[]).forEach((v, i) => expect(decoded[i]).toBeCloseTo(v, 6));
  });

  it('accepts dimensions only for matryoshka models', async () => {
    const ok = (await (await post(`${url}/v1/embeddings`, { model: 'm2', input: 'a', dimensions: 3 })).json()) as Embeddings;
    expect(ok.data[0]?.embedding).toHaveLength(3);
    const res = await post(`${url}/v1/embeddings`, { model: 'm1', input: 'a', dimensions: 3 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Model "m1" does not support matryoshka representation, changing output dimensions will lead to poor results.',
    );
  });
});

describe('rerank', () => {
  it('sorts by query-word overlap on all three paths, applies top_n', async () => {
    const request = { model: 'm1', query: 'red apple', documents: ['green pear', { text: 'Red apple!' }, 'red car'], top_n: 2 };
    for (const path of ['/rerank', '/v1/rerank', '/v2/rerank']) {
      const body = (await (await post(`${url}${path}`, request)).json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        model: 'm1',
        usage: { total_tokens: 12 },
        results: [
          { index: 1, document: { text: 'Red apple!' }, relevance_score: 1 },
          { index: 2, document: { text: 'red car' }, relevance_score: 0.5 },
        ],
      });
      expect(body.id).toMatch(/^rerank-/);
    }
  });
});

describe('transcriptions', () => {
  const form = (fields: Record<string, string>, file?: Uint8Array<ArrayBuffer>): FormData => {
    const data = new FormData();
    if (file) data.append('file', new Blob([file], { type: 'audio/wav' }), 'a.wav');
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    return data;
  };
  const transcribe = (body: FormData): Promise<Response> => fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body });

  it('answers json with the WAV duration, and text', async () => {
    const wav = wavFile(1.5);
    const json = await transcribe(form({ model: 'm1', language: 'fr' }, wav));
    expect(await json.json()).toEqual({
      text: `sim transcript of ${wav.length} bytes in fr`,
      usage: { type: 'duration', seconds: 2 },
    });
    const text = await transcribe(form({ response_format: 'text' }, Uint8Array.from([1, 2, 3])));
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe('sim transcript of 3 bytes');
  });

  it('rejects a missing file and unsupported formats', async () => {
    expect((await transcribe(form({ model: 'm1' }))).status).toBe(400);
    const res = await transcribe(form({ response_format: 'verbose_json' }, Uint8Array.from([1])));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Currently only support response_format `text` or `json`',
    );
  });

  it('logs the multipart form with file hashes', async () => {
    hub.instance.clearLog();
    await transcribe(form({ model: 'm1' }, Uint8Array.from([9, 9])));
    const entry = hub.instance.log[0];
    expect(entry?.form?.fields).toEqual({ model: 'm1' });
    expect(entry?.form?.files).toEqual([
      { field: 'file', filename: 'a.wav', contentType: 'audio/wav', size: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });
});

describe('info routes and auth', () => {
  it('serves models, health (empty body), version; unknown routes 404', async () => {
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Record<string, unknown>[] };
    expect(models.data.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: 'vllm', root: 'm1', parent: null, max_model_len: 4096 });
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.text()]).toEqual([200, '']);
    expect(await (await fetch(`${url}/version`)).json()).toEqual({ version: '0.11.2' });
    const missing = await fetch(`${url}/v1/nothing`);
    expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Not Found' }]);
  });

  it('guards only /v1 paths with the api key', async () => {
    const sim = await hub.spawn({ apiKey: 'secret' });
    try {
      const denied = await fetch(`${sim.url}/v1/models`);
      expect([denied.status, await denied.text()]).toEqual([401, '{"error":"Unauthorized"}']);
      const wrong = await fetch(`${sim.url}/v1/models`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect((await fetch(`${sim.url}/v1/models`, { headers: { authorization: 'Bearer secret' } })).status).toBe(200);
      expect((await fetch(`${sim.url}/health`)).status).toBe(200);
      expect((await post(`${sim.url}/rerank`, { query: 'a', documents: ['a'] })).status).toBe(200);
      expect((await fetch(`${sim.url}/_sim/config`)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe('JSON delivery knobs', () => {
  const embed = (headers: Record<string, string>): Promise<Response> =>
    post(`${url}/v1/embeddings`, { model: 'm1', input: Array.from({ length: 400 }, (_, i) => `text ${i}`) }, headers);

  it('chunkedJson sends the same answer without Content-Length', async () => {
    const plain = await embed({});
    const chunked = await embed({ 'x-sim-chunked-json': '1' });
    expect(plain.headers.get('content-length')).not.toBeNull();
    expect(chunked.headers.get('content-length')).toBeNull();
    const [a, b] = [(await plain.json()) as { data: unknown }, (await chunked.json()) as { data: unknown }];
    expect(b.data).toEqual(a.data);
  });

  it('cutJsonAfterBytes truncates the body and kills the connection', async () => {
    const res = await embed({ 'x-sim-cut-json-after-bytes': '1000' });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});
