// Embeddings, transcriptions, model listing and rerank, as an openai-SDK (or Cohere-style) client sees them.
import { createHash } from 'node:crypto';
import { toFile } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { embed } from '../sim/handlers/embeddings';
import { api, deploy, newKey, sdk, type Deployment } from './helpers/gateway';
import { wav } from './helpers/wav';

const DIM = 8;
let dep: Deployment;
beforeAll(async () => {
  dep = await deploy({ served: 'BAAI/bge-m3', sim: { embeddingDim: DIM } });
});

/** The float32 little-endian bytes of a vector, as vLLM (and OpenAI) encode base64 embeddings. */
function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

const lastSent = async (d: Deployment): Promise<Record<string, unknown>> =>
  (await d.sim.log()).at(-1)!.json as Record<string, unknown>;

describe('embeddings.create', () => {
  it('encoding_format "float": the upstream vectors, unchanged', async () => {
    const res = await sdk().embeddings.create({ model: dep.group, input: ['hello world', 'edge'], encoding_format: 'float' });
    expect(res.object).toBe('list');
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]!.embedding).toEqual(embed('hello world', DIM));
    expect(res.data[1]!.embedding).toEqual(embed('edge', DIM));
    expect(res.usage).toMatchObject({ prompt_tokens: 3, total_tokens: 3 });
    expect(await lastSent(dep)).toMatchObject({ model: 'BAAI/bge-m3', encoding_format: 'float' });
  });

  it('no encoding_format: the SDK asks for base64 and decodes it to float32 numbers', async () => {
    const res = await sdk().embeddings.create({ model: dep.group, input: 'hello world' });
    // openai 6.30.1 sends encoding_format "base64" when none is given, for smaller payloads…
    expect(await lastSent(dep)).toMatchObject({ encoding_format: 'base64' });
    // …and hands back plain numbers at float32 precision.
    expect(res.data[0]!.embedding).toEqual(embed('hello world', DIM).map(Math.fround));
  });

  it('an answer too large to hold (30 inputs × 4,096 floats, ~2.3 MiB) is relayed whole as it arrives', async () => {
    const big = await deploy({ served: 'Qwen/Qwen3-Embedding-8B', sim: { embeddingDim: 4096 } });
    const input = Array.from({ length: 30 }, (_, i) => `passage ${i}`);
    const { data: res, response } = await sdk().embeddings.create({ model: big.group, input, encoding_format: 'float' }).withResponse();
    expect(res.data).toHaveLength(30);
    expect(res.data[29]!.embedding).toEqual(embed('passage 29', 4096));
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-litellm-call-id')).toBeTruthy();
    // Its cost is known only at its end, after the headers went out.
    expect(response.headers.get('x-litellm-response-cost')).toBeNull();
  });

  it('encoding_format "base64": the SDK returns the base64 string as the gateway sent it', async () => {
    const res = await sdk().embeddings.create({ model: dep.group, input: 'hello world', encoding_format: 'base64' });
    const encoded = res.data[0]!.embedding as unknown;
    expect(encoded).toBe(float32Base64(embed('hello world', DIM)));
    const decoded = Buffer.from(encoded as string, 'base64');
    expect(decoded.length).toBe(DIM * 4);
  });
});

describe('audio.transcriptions.create', () => {
  const audio = wav(1.5);
  const sha = createHash('sha256').update(audio).digest('hex');

  it('response_format "json": the transcript and its audio duration; the upload reaches vLLM byte for byte', async () => {
    const res = await sdk().audio.transcriptions.create({
      file: await toFile(audio, 'tone.wav', { type: 'audio/wav' }),
      model: dep.group,
      language: 'en',
      response_format: 'json',
    });
    expect(res.text).toBe(`sim transcript of ${audio.length} bytes in en`);
    expect((res as { usage?: unknown }).usage).toEqual({ type: 'duration', seconds: 2 });
    const entry = (await dep.sim.log()).at(-1)!;
    expect(entry.path).toBe('/v1/audio/transcriptions');
    expect(entry.form?.fields).toMatchObject({ model: 'BAAI/bge-m3', language: 'en', response_format: 'json' });
    expect(entry.form?.files).toEqual([
      expect.objectContaining({ field: 'file', filename: 'tone.wav', size: audio.length, sha256: sha }),
    ]);
  });

  it('a 2 MB upload is streamed through intact', async () => {
    const big = wav(64);
    const res = await sdk().audio.transcriptions.create({ file: await toFile(big, 'long.wav'), model: dep.group });
    expect(res.text).toBe(`sim transcript of ${big.length} bytes`);
    expect((res as { usage?: unknown }).usage).toEqual({ type: 'duration', seconds: 64 });
    const [file] = (await dep.sim.log()).at(-1)!.form!.files;
    expect(file).toMatchObject({ size: big.length, sha256: createHash('sha256').update(big).digest('hex') });
  });

  it('response_format "text": the SDK returns the plain-text transcript', async () => {
    const { data, response } = await sdk()
      .audio.transcriptions.create({
        file: await toFile(audio, 'tone.wav', { type: 'audio/wav' }),
        model: dep.group,
        response_format: 'text',
      })
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('x-litellm-model-group')).toBe(dep.group);
    expect(data).toBe(`sim transcript of ${audio.length} bytes`);
    // The gateway asks vLLM for json (it carries the audio duration the call is billed by) and answers text.
    expect((await dep.sim.log()).at(-1)!.form?.fields.response_format).toBe('json');
  });
});

describe('models', () => {
  it('models.list (master key) lists the group as an OpenAI model object; retrieve finds it', async () => {
    const page = await sdk().models.list();
    const mine = page.data.find((m) => m.id === dep.group);
    expect(mine).toMatchObject({ id: dep.group, object: 'model', owned_by: 'openai' });
    expect(typeof mine!.created).toBe('number');
    // Groups are listed, not the deployments behind them.
    expect(page.data.some((m) => m.id === dep.id)).toBe(false);
    expect(await sdk().models.retrieve(dep.group)).toMatchObject({ id: dep.group, object: 'model' });
  });
});

interface RerankAnswer {
  model: string;
  usage: { total_tokens: number };
  meta: { billed_units: { total_tokens: number } };
  results: { index: number; document: { text: string }; relevance_score: number }[];
}

describe('rerank (plain fetch)', () => {
  const documents = ['Paris is the capital of France', 'Berlin is in Germany', 'France has Paris as its capital city'];
  // The simulator scores the share of query words found; it counts query + document words once per document.
  const totalTokens = documents.reduce((sum, d) => sum + 3 + d.split(' ').length, 0);

  for (const path of ['/v1/rerank', '/v2/rerank']) {
    it(`${path}: results sorted by relevance, top_n honoured, usage and meta.billed_units`, async () => {
      const { key } = await newKey({ models: [dep.group] });
      const res = await api(path, { key, json: { model: dep.group, query: 'capital of France', documents, top_n: 2 } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-litellm-model-group')).toBe(dep.group);
      const body = (await res.json()) as RerankAnswer;
      expect(body.results.map((r) => r.index)).toEqual([0, 2]);
      expect(body.results[0]!.document.text).toBe(documents[0]);
      const scores = body.results.map((r) => r.relevance_score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(scores[0]).toBe(1);
      expect(scores[1]).toBeCloseTo(2 / 3, 10);
      expect(body.usage.total_tokens).toBe(totalTokens);
      expect(body.meta.billed_units.total_tokens).toBe(totalTokens);
      const entry = (await dep.sim.log()).at(-1)!;
      expect(entry.json).toMatchObject({ model: 'BAAI/bge-m3', top_n: 2 });
    });
  }
});
