// A completion-only (base) model behind chat clients, through wrangler dev and the openai SDK: the prompt template
// is applied upstream, and the SDK gets real chat.completion objects back, JSON and streamed.
import { describe, expect, it } from 'vitest';
import { deploy, sdk } from './helpers/gateway';

const CHATML = {
  roles: {
    system: { pre_message: '<|im_start|>system\n', post_message: '<|im_end|>\n' },
    user: { pre_message: '<|im_start|>user\n', post_message: '<|im_end|>\n' },
    assistant: { pre_message: '<|im_start|>assistant\n', post_message: '<|im_end|>\n' },
  },
  final_prompt_value: '<|im_start|>assistant\n',
};

describe('prompt templates through the SDK', () => {
  it('chat.completions on a template deployment: rendered prompt upstream, chat objects back', async () => {
    const d = await deploy({ served: 'base-model', params: CHATML });
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'hello there' },
    ];
    const answer = await sdk().chat.completions.create({ model: d.group, messages, max_tokens: 8 });
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]!.message.role).toBe('assistant');
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const [entry] = await d.sim.log();
    expect(entry!.path).toBe('/v1/completions');
    expect((entry!.json as { prompt: string }).prompt).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n',
    );

    const stream = await sdk().chat.completions.create({ model: d.group, messages, max_tokens: 8, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(answer.choices[0]!.message.content);
  });
});
