import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/http/errors';
import { callUpstream } from '../../src/upstream/vllm/client';
import type { UpstreamTarget } from '../../src/upstream/vllm/target';
import { spawnSim } from '../helpers/sim';

const target = (base: string, timeoutMs: number): UpstreamTarget => ({
  deploymentId: 'dep-timeout',
  base,
  apiKey: undefined,
  servedModel: 'sim-model',
  timeoutMs,
  streamTimeoutMs: timeoutMs,
});
const body = JSON.stringify({ model: 'sim-model', messages: [{ role: 'user', content: 'hi' }] });

// A JSON call of an HTTP request times out through a native timeout signal; a call elsewhere (a batch line in a
// Durable Object) through a timer cleared when the call ends. Both must give up on the upstream, not just the client.
describe.each([
  { inRequest: true, how: 'in a request' },
  { inRequest: false, how: 'outside a request' },
])('upstream JSON call $how', ({ inRequest }) => {
  it('a deployment slower than its timeout is a 504, and vLLM sees the request aborted', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['sim-model'], latencyMs: 3000 });
    try {
      const started = Date.now();
      const err = await callUpstream({ target: target(sim.url, 300), path: '/v1/chat/completions', body, contentType: 'application/json', stream: false, inRequest }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).kind).toBe('upstream_timeout');
      expect(Date.now() - started).toBeLessThan(2000);
      // vLLM stops generating for a request nobody waits for any more.
      const log = await sim.waitForLog((l) => l[0]?.aborted === true, 1500);
      expect(log[0]!.completed).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('a deployment within its timeout answers in full', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['sim-model'], latencyMs: 100 });
    try {
      const upstream = await callUpstream({ target: target(sim.url, 1000), path: '/v1/chat/completions', body, contentType: 'application/json', stream: false, inRequest });
      const answer = JSON.parse(await upstream.response.text()) as { object: string };
      upstream.finish();
      expect(answer.object).toBe('chat.completion');
      expect((await sim.log())[0]!.completed).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
