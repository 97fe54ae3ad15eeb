import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, readSse, simDeployment } from '../helpers/gateway';
import { newKey, settledRows } from '../helpers/keys';

const user = (content: unknown) => [{ role: 'user', content }];

describe('chat completions', () => {
  it('answers JSON on both /v1 and unprefixed paths, with model rewritten to the served name', async () => {
    const { group, id, sim } = await simDeployment({ served: 'Qwen/Qwen3-8B' });
    for (const path of ['/v1/chat/completions', '/chat/completions']) {
      const { status, body, res } = await callJson<{ model: string; choices: { message: { content: string } }[] }>(path, {
        method: 'POST',
        json: { model: group, messages: user('hello edge world') },
      });
      expect(status).toBe(200);
      expect(body.choices[0]!.message.content).toBe('hello edge world');
      expect(res.headers.get('x-litellm-model-group')).toBe(group);
      expect(res.headers.get('x-litellm-model-id')).toBe(id);
      expect(res.headers.get('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const log = await sim.log();
    expect(log.map((e) => (e.json as { model: string }).model)).toEqual(['Qwen/Qwen3-8B', 'Qwen/Qwen3-8B']);
    expect(log[0]!.headers.authorization).toBeUndefined();
  });

  it('forwards every other field byte for byte, vLLM extras included', async () => {
    const { group, sim } = await simDeployment();
    const extras =
      '"top_k": 20, "min_p": 0.05, "repetition_penalty": 1.10, "seed": 18446744073709551615, ' +
      '"structured_outputs": {"json": {"type": "object", "properties": {"a": {"type": "number"}}}}, ' +
      '"chat_template_kwargs": {"enable_thinking": false}, "reasoning_effort": "high", "priority": -1, ' +
      '"request_id": "abc", "cache_salt": "s\\u00e9l", "temperature": 1.0';
    const body = `{"model": "${group}", "messages": [{"role": "user", "content": "hi"}], ${extras}}`;
    const res = await call('/v1/chat/completions', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const [entry] = await sim.log();
    expect(entry!.body).toBe(`{"model": "sim-model", "messages": [{"role": "user", "content": "hi"}], ${extras}}`);
  });

  it('turns a user video `file` part into video_url and maps thinking.budget_tokens to reasoning_effort', async () => {
    const { group, sim } = await simDeployment();
    const video = 'data:video/mp4;base64,AAAAIGZ0eXBpc29t';
    const cases: [number, string][] = [[12000, 'high'], [5000, 'medium'], [2000, 'low'], [100, 'minimal']];
    for (const [budget, effort] of cases) {
      await call('/v1/chat/completions', {
        method: 'POST',
        json: {
          model: group,
          thinking: { type: 'enabled', budget_tokens: budget },
          messages: user([
            { type: 'text', text: 'describe' },
            { type: 'file', file: { file_data: video } },
            { type: 'file', file: { file_id: 'https://example.com/clip', format: 'video/webm' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE' } },
          ]),
        },
      });
      const sent = (await sim.log()).at(-1)!.json as Record<string, unknown>;
      expect(sent.reasoning_effort).toBe(effort);
      expect(sent.thinking).toBeUndefined();
      expect((sent.messages as { content: unknown[] }[])[0]!.content).toEqual([
        { type: 'text', text: 'describe' },
        { type: 'video_url', video_url: { url: video } },
        { type: 'video_url', video_url: { url: 'https://example.com/clip' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE' } },
      ]);
    }
    // An explicit reasoning_effort wins over the thinking budget.
    await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, reasoning_effort: 'low', thinking: { budget_tokens: 20000 }, messages: user('x') },
    });
    expect(((await sim.log()).at(-1)!.json as Record<string, unknown>).reasoning_effort).toBe('low');
  });

  it('aborts the upstream request when the client goes away before a JSON answer', async () => {
    const { group, sim } = await simDeployment({ sim: { latencyMs: 3000 } });
    const client = new AbortController();
    const pending = call('/v1/chat/completions', { method: 'POST', signal: client.signal, json: { model: group, messages: user('hi') } });
    await sim.waitForLog((l) => l.length === 1, 2000);
    client.abort();
    await pending.catch(() => undefined);
    // Well before the simulator would have answered: vLLM stops generating for a client nobody is waiting for.
    const log = await sim.waitForLog((l) => l[0]?.aborted === true, 1500);
    expect(log[0]!.completed).toBe(false);
  });
});

describe('chat streaming', () => {
  it('streams chunks as they arrive and hides the usage chunk the gateway asked for', async () => {
    const { group, sim } = await simDeployment({ sim: { chunkDelayMs: 30 } });
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, messages: user('one two three four') },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += decoder.decode(value);
    }
    // Five content events 30 ms apart arrive spread out, not in one burst at the end.
    expect(arrivals.length).toBeGreaterThanOrEqual(5);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(90);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(text).not.toContain('"usage"');
    expect(JSON.parse(events[0]!.slice(6)).choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const sent = (await sim.log())[0]!.json as { stream_options: unknown };
    expect(sent.stream_options).toEqual({ include_usage: true });
  });

  it('shows no usage to a client that set continuous_usage_stats without include_usage (as vLLM would), and still bills', async () => {
    const { group, sim } = await simDeployment({ info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } });
    const k = await newKey();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      key: k.key,
      json: { model: group, stream: true, stream_options: { continuous_usage_stats: true }, messages: user('a b c') },
    });
    const data = await readSse(res);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.length).toBeGreaterThan(3);
    expect(data.filter((d) => d.includes('"usage"'))).toEqual([]);
    const sent = (await sim.log())[0]!.json as { stream_options: unknown };
    expect(sent.stream_options).toEqual({ continuous_usage_stats: false, include_usage: true });
    const [row] = await settledRows(k.key, 1);
    expect(row).toMatchObject({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  it('forwards the usage chunk to a client that asked for it', async () => {
    const { group } = await simDeployment();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, stream_options: { include_usage: true }, messages: user('a b') },
    });
    const data = await readSse(res);
    const usage = JSON.parse(data.at(-2)!) as { choices: unknown[]; usage: { total_tokens: number } };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBe(4);
  });

  it('ends a stream cut mid-answer with an error event in the OpenAI envelope', async () => {
    const { group } = await simDeployment({ sim: { cutAfterChunks: 2 } });
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, messages: user('a b c d e f') },
    });
    expect(res.status).toBe(200);
    const data = await readSse(res);
    expect(data).not.toContain('[DONE]');
    const last = JSON.parse(data.at(-1)!) as { error: unknown };
    const error = expectEnvelope(last);
    expect(error.code).toBe('502');
    expect(error.message).toMatch(/upstream|ended|broke/i);
  });

  it('ends a stream that stalls mid-answer beyond `timeout` with an error event naming that idle limit', async () => {
    // stream_timeout bounds the wait for the first token; between tokens the limit is `timeout`.
    const { group, id } = await simDeployment({ sim: { chunkDelayMs: 3000 }, params: { timeout: 0.3, stream_timeout: 5 } });
    const started = Date.now();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, messages: user('a b c d') },
    });
    expect(res.status).toBe(200);
    const data = await readSse(res);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(data).not.toContain('[DONE]');
    const error = expectEnvelope(JSON.parse(data.at(-1)!));
    expect(error.message).toBe(`Deployment '${id}' sent nothing for 0.3 s mid-stream`);
  });

  it('lets a client read slowly: the idle limit runs only while the gateway waits on the upstream', async () => {
    // Chunks 40 ms apart, well within a 0.3 s idle limit; the client then pauses for 1 s between reads.
    const { group } = await simDeployment({ sim: { chunkDelayMs: 40 }, params: { timeout: 0.3, stream_timeout: 5 } });
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, messages: user('a b c d e f') },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    await new Promise((r) => setTimeout(r, 1000));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).not.toContain('"error"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const content = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
    expect(content).toBe('a b c d e f');
  });

  it('passes vLLM in-stream errors through untouched', async () => {
    const { group } = await simDeployment({ sim: { errorAfterChunks: 2 } });
    const data = await readSse(
      await call('/v1/chat/completions', { method: 'POST', json: { model: group, stream: true, messages: user('a b c d') } }),
    );
    expect(data.some((d) => d.includes('simulated mid-stream error'))).toBe(true);
  });

  it('closes the upstream connection when the client disconnects mid-stream', async () => {
    const { group, sim } = await simDeployment({ sim: { chunkDelayMs: 50 } });
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      json: { model: group, stream: true, max_tokens: 200, messages: user('word '.repeat(200)) },
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const log = await sim.waitForLog((l) => l[0]?.aborted === true, 3000);
    expect(log[0]!.completed).toBe(false);
  });
});
