/**
 * Money is kept as integer nano-dollars. Spend is a sum of many small float products; adding integers makes the
 * ledger equal the sum of the per-request costs exactly, in any order, up to $9,007,199 per key.
 */
export const NANOS_PER_DOLLAR = 1_000_000_000;

export function toNanos(dollars: number): number {
  return Math.round(dollars * NANOS_PER_DOLLAR);
}

export function fromNanos(nanos: number): number {
  return nanos / NANOS_PER_DOLLAR;
}
