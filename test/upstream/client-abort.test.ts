import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { callUpstream, ClientGone } from '../../src/upstream/vllm/client';
import type { UpstreamTarget } from '../../src/upstream/vllm/target';
import { spawnSim } from '../helpers/sim';

const target = (base: string): UpstreamTarget => ({
  deploymentId: 'dep-abort',
  base,
  apiKey: undefined,
  servedModel: 'sim-model',
  timeoutMs: 10_000,
  streamTimeoutMs: 10_000,
});
const body = JSON.stringify({ model: 'sim-model', messages: [{ role: 'user', content: 'hi' }] });

describe('upstream call and the client signal', () => {
  it('a client that goes away aborts the upstream request it is waiting for', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['sim-model'], latencyMs: 3000 });
    try {
      const client = new AbortController();
      const pending = callUpstream({ target: target(sim.url), path: '/v1/chat/completions', body, contentType: 'application/json', stream: false, signal: client.signal });
      const outcome = pending.then(() => 'answered', (err: unknown) => err);
      await sim.waitForLog((l) => l.length === 1, 2000);
      client.abort();
      expect(await outcome).toBeInstanceOf(ClientGone);
      // Well before the simulator would have answered: vLLM stops generating for a client nobody is waiting for.
      const log = await sim.waitForLog((l) => l[0]?.aborted === true, 1500);
      expect(log[0]!.completed).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('a client already gone is not sent upstream at all', async () => {
    const sim = await spawnSim(inject('simUrl'), { models: ['sim-model'] });
    try {
      const gone = new AbortController();
      gone.abort();
      const err = await callUpstream({ target: target(sim.url), path: '/v1/chat/completions', body, contentType: 'application/json', stream: false, signal: gone.signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClientGone);
      expect((await sim.log()).filter((e) => e.completed)).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
