import { describe, expect, it } from 'vitest';
import { call, callJson, expectEnvelope, simDeployment, MASTER_KEY } from '../helpers/gateway';
import { newKey, settledRows } from '../helpers/keys';
import { sdk } from '../helpers/sdk';

const LLAMA2 = {
  bos_token: '<s>',
  eos_token: '</s>',
  roles: {
    system: { pre_message: '[INST] <<SYS>>\n', post_message: '\n<</SYS>>\n [/INST]\n' },
    user: { pre_message: '[INST] ', post_message: ' [/INST]\n' },
    assistant: { post_message: '\n' },
  },
};

const CHATML = {
  roles: {
    system: { pre_message: '<|im_start|>system\n', post_message: '<|im_end|>\n' },
    user: { pre_message: '<|im_start|>user\n', post_message: '<|im_end|>\n' },
    assistant: { pre_message: '<|im_start|>assistant\n', post_message: '<|im_end|>\n' },
  },
  final_prompt_value: '<|im_start|>assistant\n',
};

const conversation = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'hello there' },
  { role: 'assistant' as const, content: 'hi' },
  { role: 'user' as const, content: [{ type: 'text' as const, text: 'how are ' }, { type: 'text' as const, text: 'you' }] },
];

async function sentPrompt(params: Record<string, unknown>, info: Record<string, unknown> = {}) {
  const d = await simDeployment({ served: 'base-model', params, info });
  const res = await sdk(MASTER_KEY).chat.completions.create({ model: d.group, messages: conversation, max_tokens: 5 });
  const [entry] = await d.sim.log();
  return { entry: entry!, res, d };
}

describe('chat served by completion-only deployments', () => {
  it('renders a Llama-2 template exactly and sends it to /v1/completions', async () => {
    const { entry } = await sentPrompt(LLAMA2);
    expect(entry.path).toBe('/v1/completions');
    expect((entry.json as { prompt: string }).prompt).toBe(
      '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n [/INST]\n[INST] hello there [/INST]\nhi\n</s><s>[INST] how are you [/INST]\n',
    );
  });

  it('renders a ChatML template exactly', async () => {
    const { entry } = await sentPrompt(CHATML);
    expect((entry.json as { prompt: string }).prompt).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello there<|im_end|>\n' +
        '<|im_start|>assistant\nhi<|im_end|>\n<|im_start|>user\nhow are you<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('joins message texts with single spaces for mode: completion without a template', async () => {
    const { entry, res } = await sentPrompt({}, { mode: 'completion' });
    expect((entry.json as { prompt: string }).prompt).toBe('Be brief. hello there hi how are you');
    expect(res.object).toBe('chat.completion');
  });

  it('returns a proper chat.completion through the SDK, carrying sampling fields over', async () => {
    const d = await simDeployment({ served: 'base-model', params: CHATML });
    const client = sdk(MASTER_KEY);
    const res = await client.chat.completions.create({
      model: d.group,
      messages: [{ role: 'user', content: 'one two three four' }],
      max_completion_tokens: 3,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n'],
      // @ts-expect-error vLLM extra, passed through untouched
      top_k: 7,
    });
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: expect.any(String) });
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage?.completion_tokens).toBe(3);
    const sent = (await d.sim.log())[0]!.json as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'base-model', max_tokens: 3, temperature: 0.2, top_p: 0.9, stop: ['\n\n'], top_k: 7 });
    expect(sent.messages).toBeUndefined();
    expect(sent.max_completion_tokens).toBeUndefined();
  });

  it('streams chat.completion.chunk events: role delta first, content, finish_reason, optional usage', async () => {
    const d = await simDeployment({ served: 'base-model', params: { roles: { user: { pre_message: 'Q: ', post_message: '\nA:' } } } });
    const client = sdk(MASTER_KEY);
    const stream = await client.chat.completions.create({
      model: d.group,
      messages: [{ role: 'user', content: 'alpha beta gamma' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(true);
    expect(chunks.at(-1)!.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('wraps a developer message as the system turn (its newer OpenAI name)', async () => {
    const d = await simDeployment({ served: 'base-model', params: CHATML });
    const messages = [
      { role: 'developer' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'hi' },
    ];
    await sdk(MASTER_KEY).chat.completions.create({ model: d.group, messages, max_tokens: 5 });
    const [entry] = await d.sim.log();
    expect((entry!.json as { prompt: string }).prompt).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('is billed like any chat call: response cost from the usage, one chat spend-log row on the key', async () => {
    const d = await simDeployment({ served: 'base-model', params: CHATML, info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } });
    const k = await newKey();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      key: k.key,
      json: { model: d.group, messages: [{ role: 'user', content: 'count the tokens' }], max_tokens: 7 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.object).toBe('chat.completion');
    const expected = body.usage.prompt_tokens * 0.001 + body.usage.completion_tokens * 0.002;
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(expected, 9);
    expect(res.headers.get('x-litellm-model-group')).toBe(d.group);
    const [row] = await settledRows(k.token, 1);
    expect(row).toMatchObject({ call_type: 'acompletion', model_group: d.group, model_id: d.id, prompt_tokens: body.usage.prompt_tokens });
    expect(row!.spend).toBeCloseTo(expected, 9);
  });

  it('refuses chat-only fields by name instead of dropping them', async () => {
    const d = await simDeployment({ served: 'base-model', params: CHATML });
    const cases: [Record<string, unknown>, string][] = [
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, 'tools'],
      [{ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, 'response_format'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }] }, 'messages[0].content[0]'],
      [{ logprobs: true }, 'logprobs'],
      [{ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] }] }, 'messages[1].tool_calls'],
      [{ messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 't', content: '42' }] }, 'messages[1].role'],
    ];
    for (const [extra, param] of cases) {
      const json = { model: d.group, messages: [{ role: 'user', content: 'x' }], ...extra };
      const { status, body } = await callJson('/v1/chat/completions', { method: 'POST', json });
      expect(status).toBe(400);
      expect(expectEnvelope(body).param).toBe(param);
    }
    expect(await d.sim.log()).toHaveLength(0);
    // response_format of type text has a completion meaning (plain text) and is accepted.
    const ok = await callJson('/v1/chat/completions', {
      method: 'POST',
      json: { model: d.group, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } },
    });
    expect(ok.status).toBe(200);
  });
});
