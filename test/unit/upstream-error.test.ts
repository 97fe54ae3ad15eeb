import { describe, expect, it } from 'vitest';
import { upstreamError } from '../../src/upstream/vllm/upstream-error';

describe('upstream error relay', () => {
  it("never hands the client the upstream key, even from an upstream that echoes the request's headers", async () => {
    const echo = (body: string, status = 400) => new Response(body, { status, headers: { 'content-type': 'application/json' } });
    const cases = [
      echo(JSON.stringify({ error: { message: 'bad auth header Bearer sk-up-123 (and sk-up-123 again)' } })),
      echo(JSON.stringify({ detail: 'token sk-up-123 refused' }), 401),
      echo('plain text: Authorization: Bearer sk-up-123', 502),
    ];
    for (const res of cases) {
      const err = await upstreamError(res, 'dep-1', 'sk-up-123');
      expect(err.message).not.toContain('sk-up-123');
      expect(err.message).toContain('[redacted]');
    }
    // Without a key nothing is cut, and vLLM's own messages pass through as they are.
    const plain = await upstreamError(echo(JSON.stringify({ error: { message: 'max_tokens is too large' } })), 'dep-1');
    expect(plain.message).toBe('max_tokens is too large');
  });
});
