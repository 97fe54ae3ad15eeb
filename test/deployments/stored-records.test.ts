import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Bindings } from '../../src/env';
import { GatewayError } from '../../src/http/errors';
import { redact } from '../../src/deployments/normalize';
import type { Deployment } from '../../src/deployments/schema';
import { resolveTarget } from '../../src/upstream/vllm/target';
import { MASTER_KEY } from '../helpers/gateway';

// Records written before today's input checks: what the gateway shows and sends for them.
const stored = (params: Record<string, unknown>): Deployment =>
  ({ model_name: 'old', litellm_params: { model: 'hosted_vllm/x', ...params }, model_info: { id: 'old-1' } }) as Deployment;

describe('deployments stored before the input checks', () => {
  it('never show query values or a fragment of api_base', () => {
    const shown = redact(stored({ api_base: 'https://vllm.example.com/v1?token=s3cret-a&x=1#s3cret-b' })).litellm_params.api_base!;
    expect(shown).not.toMatch(/s3cret/);
    expect(shown).toMatch(/^https:\/\/vllm\.example\.com\/v1\?token=.*redacted/);
  });

  it('never send the master key upstream, written in or behind a variable', () => {
    const bindings = { ...(env as unknown as Bindings), SAME_AS_MASTER: MASTER_KEY } as Bindings;
    for (const api_key of [MASTER_KEY, `Bearer ${MASTER_KEY}`, 'os.environ/SAME_AS_MASTER', 'os.environ/MASTER_KEY']) {
      let thrown: unknown;
      try {
        resolveTarget(stored({ api_base: 'http://127.0.0.1:9/v1', api_key }), bindings);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, api_key).toBeInstanceOf(GatewayError);
      expect((thrown as GatewayError).message).not.toContain(MASTER_KEY);
    }
  });
});
