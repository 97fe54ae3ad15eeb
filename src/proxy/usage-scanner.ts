import type { Usage } from '../upstream/usage';
import { usageOf } from './json-response';

/** `"usage"` in bytes. */
const KEY = [0x22, 0x75, 0x73, 0x61, 0x67, 0x65, 0x22];
const QUOTE = 0x22;
/** Bytes read past a match to tell a key (`"usage": {`) from a string value; JSON allows whitespace there. */
const LOOKAHEAD = 64;
/** Bytes kept from the last `"usage"` key on: vLLM's usage object, details included, is far shorter. */
const TAIL = 4096;

/**
 * Finds the `usage` of a JSON answer that passes through in chunks and is never held whole (large-answer.ts). It
 * searches the bytes as they pass (decoding them would leave the isolate a string per chunk to collect) and keeps
 * only those from the last `"usage"` key seen so far, plus a few bytes of lookahead across chunk boundaries: a few
 * KiB whatever the answer's size. Same rule as usageOf: inside JSON strings quotes are escaped, so `"usage"`
 * followed by `:` is a key, and vLLM writes the top-level one last.
 */
export class UsageScanner {
  /** The end of the bytes seen so far, whose matches need more lookahead before they can be decided. */
  private carry: Uint8Array = new Uint8Array(0);
  private tail: Uint8Array[] | undefined;
  private tailBytes = 0;

  push(chunk: Uint8Array): void {
    this.scan(chunk, false);
  }

  /** The usage found, once the whole answer has been pushed. */
  end(): Usage | undefined {
    this.scan(new Uint8Array(0), true);
    if (!this.tail) return undefined;
    const decoder = new TextDecoder();
    return usageOf(this.tail.map((part) => decoder.decode(part, { stream: true })).join('') + decoder.decode());
  }

  private scan(chunk: Uint8Array, final: boolean): void {
    const { carry } = this;
    // The tail holds everything up to the end of the bytes seen before: this chunk continues it.
    if (this.tail && this.tailBytes < TAIL) this.keep(chunk.subarray(0, TAIL - this.tailBytes));
    const total = carry.length + chunk.length;
    const byteAt = (i: number): number | undefined => (i < carry.length ? carry[i] : chunk[i - carry.length]);
    // Matches starting before `decided` have their lookahead here; later ones are decided with the next chunk.
    const decided = final ? total : total - LOOKAHEAD;
    for (let at = lastQuote(carry, chunk, decided); at >= 0; at = lastQuote(carry, chunk, at)) {
      if (!KEY.every((b, k) => byteAt(at + k) === b)) continue;
      let i = at + KEY.length;
      for (let b = byteAt(i); b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d; b = byteAt(i)) i++;
      if (byteAt(i) !== 0x3a) continue;
      this.tail = [];
      this.tailBytes = 0;
      if (at < carry.length) this.keep(carry.subarray(at));
      this.keep(chunk.subarray(Math.max(0, at - carry.length), Math.max(0, at - carry.length) + TAIL - this.tailBytes));
      break;
    }
    if (final) this.carry = new Uint8Array(0);
    else if (decided <= carry.length) this.carry = concat(carry.subarray(Math.max(0, decided)), chunk);
    else this.carry = chunk.slice(decided - carry.length);
  }

  private keep(bytes: Uint8Array): void {
    // A copy: the chunk itself goes on to the client and must not stay reachable from here.
    this.tail!.push(bytes.slice());
    this.tailBytes += bytes.length;
  }
}

/** The last `"` before position `before` of carry followed by chunk, or -1. */
function lastQuote(carry: Uint8Array, chunk: Uint8Array, before: number): number {
  if (before > carry.length) {
    const j = chunk.lastIndexOf(QUOTE, before - carry.length - 1);
    if (j >= 0) return carry.length + j;
  }
  const from = Math.min(before, carry.length) - 1;
  return from >= 0 ? carry.lastIndexOf(QUOTE, from) : -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
