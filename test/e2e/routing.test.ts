// Several deployments behind one model group, seen through the openai SDK: a server that is down or too slow to
// start its stream is invisible to the client.
import { describe, expect, it } from 'vitest';
import { deploy, sdk } from './helpers/gateway';

const user = (content: string) => [{ role: 'user' as const, content }];

describe('a model group with a failing deployment', () => {
  it('every SDK call succeeds on the healthy deployment while the other refuses connections', async () => {
    const good = await deploy();
    const down = await deploy({ group: good.group, sim: { refuse: true } });
    for (let i = 0; i < 6; i++) {
      const { data, response } = await sdk().chat.completions.create({ model: good.group, messages: user(`call ${i}`) }).withResponse();
      expect(data.choices[0]!.message.content).toBe(`call ${i}`);
      expect(response.headers.get('x-litellm-model-id')).toBe(good.id);
    }
    expect((await good.sim.log()).length).toBe(6);
    void down;
  });

  it('a stream whose first token misses stream_timeout is retried elsewhere: the SDK iterates a complete answer', async () => {
    const good = await deploy();
    // Weighted so the slow one is tried first: the retry, not luck, is what the client's answers depend on.
    const slow = await deploy({ group: good.group, sim: { firstChunkDelayMs: 5000 }, params: { stream_timeout: 0.3, weight: 1000 } });
    for (let i = 0; i < 4; i++) {
      const stream = await sdk().chat.completions.create({ model: good.group, messages: user(`stream ${i}`), stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(`stream ${i}`);
    }
    expect((await good.sim.log()).length).toBe(4);
    expect((await slow.sim.log()).length).toBeGreaterThan(0);
  });
});
