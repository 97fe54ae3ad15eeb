import { describe, expect, it } from 'vitest';
import { digestsEqual, sha256 } from '../../src/auth/hash';

describe('digestsEqual', () => {
  it('is true only for identical digests, wherever they differ', async () => {
    const a = await sha256('sk-master');
    expect(digestsEqual(a, await sha256('sk-master'))).toBe(true);
    expect(digestsEqual(a, await sha256('sk-masteR'))).toBe(false);
    for (const at of [0, 15, 31]) {
      const b = a.slice();
      b[at] = b[at]! ^ 1;
      expect(digestsEqual(a, b)).toBe(false);
    }
    expect(digestsEqual(a, a.slice(0, 31))).toBe(false);
  });
});
