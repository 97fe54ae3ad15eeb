import { describe, expect, it } from 'vitest';
import { costNanos } from '../../src/accounting/pricing';

const price = (perToken: number) => ({ inputPerToken: perToken, outputPerToken: perToken, inputPerSecond: 0, outputPerSecond: 0 });

describe('costNanos', () => {
  it('is exact in nano-dollars for ordinary prices', () => {
    expect(costNanos(price(0.000002), { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 })).toBe(3_000_000);
  });

  it('stays a finite, exact integer whatever the token counts (a deployment stored before prices were bounded)', () => {
    const cost = costNanos(price(1e300), { prompt_tokens: 1e9, completion_tokens: 1e9, total_tokens: 2e9 });
    expect(cost).toBe(Number.MAX_SAFE_INTEGER);
  });
});
