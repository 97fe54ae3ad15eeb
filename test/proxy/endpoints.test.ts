import { describe, expect, it } from 'vitest';
import { makeWav, sha256Hex } from '../helpers/audio';
import { call, callJson, readSse, simDeployment } from '../helpers/gateway';

describe('completions', () => {
  it('answers JSON and SSE with the model rewritten', async () => {
    const { group, sim } = await simDeployment({ served: 'base-model' });
    const { status, body } = await callJson<{ object: string; choices: { text: string }[] }>('/v1/completions', {
      method: 'POST',
      json: { model: group, prompt: 'once upon a time', max_tokens: 2 },
    });
    expect(status).toBe(200);
    expect(body.object).toBe('text_completion');
    expect(body.choices[0]!.text).toBe('once upon');
    const data = await readSse(await call('/completions', { method: 'POST', json: { model: group, prompt: 'a b', stream: true } }));
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].text).join('')).toBe('a b');
    expect((await sim.log()).every((e) => (e.json as { model: string }).model === 'base-model')).toBe(true);
  });
});

describe('embeddings', () => {
  it('passes float and base64 encodings through', async () => {
    const { group } = await simDeployment({ served: 'embedder' });
    const floats = await callJson<{ data: { embedding: number[] }[]; usage: { prompt_tokens: number } }>('/v1/embeddings', {
      method: 'POST',
      json: { model: group, input: ['hello world', 'bye'] },
    });
    expect(floats.status).toBe(200);
    expect(floats.body.data).toHaveLength(2);
    expect(floats.body.data[0]!.embedding).toHaveLength(8);
    const b64 = await callJson<{ data: { embedding: string }[] }>('/embeddings', {
      method: 'POST',
      json: { model: group, input: 'hello world', encoding_format: 'base64' },
    });
    const bytes = Uint8Array.from(atob(b64.body.data[0]!.embedding), (ch) => ch.charCodeAt(0));
    const decoded = Array.from(new Float32Array(bytes.buffer));
    expect(decoded.map((x) => x.toFixed(5))).toEqual(floats.body.data[0]!.embedding.map((x) => x.toFixed(5)));
  });
});

describe('rerank', () => {
  it('serves /rerank, /v1/rerank and /v2/rerank from upstream /rerank, adding meta.billed_units', async () => {
    const { group, sim } = await simDeployment({ served: 'reranker' });
    for (const path of ['/rerank', '/v1/rerank', '/v2/rerank']) {
      const { status, body } = await callJson<{
        model: string;
        usage: { total_tokens: number };
        results: { index: number; relevance_score: number; document: { text: string } }[];
        meta: { billed_units: { total_tokens: number } };
      }>(path, {
        method: 'POST',
        json: { model: group, query: 'red fox', documents: ['a blue car', 'the red fox', { text: 'red'}], top_n: 2 },
      });
      expect(status).toBe(200);
      expect(body.results.map((r) => r.index)).toEqual([1, 2]);
      expect(body.results[0]!.document.text).toBe('the red fox');
      expect(body.meta.billed_units.total_tokens).toBe(body.usage.total_tokens);
      expect(body.usage.total_tokens).toBeGreaterThan(0);
    }
    expect((await sim.log()).map((e) => e.path)).toEqual(['/rerank', '/rerank', '/rerank']);
  });
});

function multipart(fields: [string, string | Blob, string?][]): FormData {
  const form = new FormData();
  for (const [name, value, filename] of fields) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename);
  }
  return form;
}

describe('audio transcriptions', () => {
  const wav = makeWav(1.5);

  it('streams the upload with the model rewritten, file first, and answers response_format text as text', async () => {
    const { group, sim } = await simDeployment({ served: 'whisper-large' });
    const form = multipart([
      ['file', new Blob([wav], { type: 'audio/wav' }), 'tone.wav'],
      ['model', group],
      ['response_format', 'text'],
      ['language', 'en'],
    ]);
    const res = await call('/v1/audio/transcriptions', { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe(`sim transcript of ${wav.byteLength} bytes in en`);
    const [entry] = await sim.log();
    // Asked upstream as json (same length, carries the billed duration), answered to the client as text.
    expect(entry!.form!.fields).toEqual({ model: 'whisper-large', response_format: 'json', language: 'en' });
    expect(entry!.headers['content-length']).toBe(String(entry!.bodyBytes));
    expect(entry!.form!.files[0]).toMatchObject({ field: 'file', filename: 'tone.wav', size: wav.byteLength });
    expect(entry!.form!.files[0]!.sha256).toBe(await sha256Hex(wav));
  });

  it('returns JSON with the audio duration, and takes the model from x-litellm-model without buffering', async () => {
    const { group, sim } = await simDeployment({ served: 'whisper' });
    const form = multipart([['file', new Blob([wav]), 'a.wav'], ['model', 'client-side-name']]);
    const { status, body } = await callJson<{ text: string; usage: { seconds: number } }>('/audio/transcriptions', {
      method: 'POST',
      body: form,
      headers: { 'x-litellm-model': group },
    });
    expect(status).toBe(200);
    expect(body.usage.seconds).toBe(2);
    expect((await sim.log())[0]!.form!.fields.model).toBe('whisper');
    // A form without any model field gets one added when the model came from ?model=.
    const bare = multipart([['file', new Blob([wav]), 'a.wav']]);
    expect((await call(`/v1/audio/transcriptions?model=${group}`, { method: 'POST', body: bare })).status).toBe(200);
    expect((await sim.log())[1]!.form!.fields.model).toBe('whisper');
  });

  it('refuses a form without a model, a non-multipart body and a truncated body', async () => {
    const noModel = await callJson('/v1/audio/transcriptions', { method: 'POST', body: multipart([['file', new Blob([wav]), 'a.wav']]) });
    expect(noModel.status).toBe(400);
    const json = await callJson('/v1/audio/transcriptions', { method: 'POST', json: { model: 'x' } });
    expect(json.status).toBe(415);
    const truncated = await callJson('/v1/audio/transcriptions', {
      method: 'POST',
      body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(truncated.status).toBe(400);
    expect(JSON.stringify(truncated.body)).toMatch(/multipart/);
  });
});

describe('models', () => {
  it('lists model groups, not deployments, and retrieves one', async () => {
    const a = await simDeployment();
    await simDeployment({ group: a.group });
    const { body } = await callJson<{ object: string; data: { id: string; object: string; owned_by: string }[] }>('/v1/models');
    expect(body.object).toBe('list');
    expect(body.data.filter((m) => m.id === a.group)).toHaveLength(1);
    const one = await callJson<{ id: string }>(`/v1/models/${a.group}`);
    expect(one.body.id).toBe(a.group);
    expect((await callJson('/v1/models/no-such-model')).status).toBe(404);
  });
});
