import { randomBytes } from 'node:crypto';

/** vLLM-style id: `<prefix>-<32 hex>`. Random like vLLM's; tests never depend on it. */
export function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(16).toString('hex')}`;
}

/** Unix seconds, the OpenAI `created` field. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
