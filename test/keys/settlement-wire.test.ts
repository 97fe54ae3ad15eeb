import { describe, expect, it } from 'vitest';
import type { Settlement } from '../../src/keys/ledger-types';
import { fromPayload, payloadFor } from '../../src/keys/settlement-wire';

const s = (requestId: string, extra: Partial<Settlement> = {}): Settlement => ({
  requestId,
  group: 'g',
  deploymentId: null,
  callType: 'chat',
  promptTokens: 1,
  completionTokens: 2,
  totalTokens: 3,
  nanos: 40,
  status: 'failure',
  estimated: true,
  startedAt: 1_000,
  endedAt: 1_005,
  ...extra,
});

describe('settlement wire format', () => {
  it('a first send travels as rows, and the ledger reads back exactly the settlements that were sent', () => {
    const items = [s('a'), s('b', { status: 'success', estimated: false, deploymentId: 'd1', releaseOnly: true })];
    const payload = payloadFor('key', items, false);
    expect('rows' in payload && payload.rows).toEqual([
      ['a', 'g', null, 'chat', 1, 2, 3, 40, 0, 1, 1_000, 1_005, 0],
      ['b', 'g', 'd1', 'chat', 1, 2, 3, 40, 1, 0, 1_000, 1_005, 1],
    ]);
    expect(fromPayload(payload)).toEqual({ apiKey: 'key', items });
  });

  it('a resend travels as objects, the form a ledger of the previous version reads (gradual deployments)', () => {
    const items = [s('a')];
    expect(payloadFor('key', items, true)).toEqual({ apiKey: 'key', items });
  });
});
