import { describe, expect, it } from 'vitest';
import { usageOf } from '../../src/proxy/json-response';
import { UsageScanner } from '../../src/proxy/usage-scanner';

const encoder = new TextEncoder();

/** The scanner's result for `text` pushed in pieces of the given sizes (cycled). */
function scan(text: string, sizes: number[]): ReturnType<UsageScanner['end']> {
  const bytes = encoder.encode(text);
  const scanner = new UsageScanner();
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    scanner.push(bytes.subarray(at, at + n));
    at += n;
  }
  return scanner.end();
}

const embeddings = JSON.stringify({
  object: 'list',
  data: Array.from({ length: 200 }, (_, i) => ({ object: 'embedding', embedding: Array.from({ length: 40 }, (_, k) => Math.sin(i * k)), index: i })),
  usage: { prompt_tokens: 612, total_tokens: 612, completion_tokens: 0 },
});

const tricky = [
  // A string value "usage" and an escaped one after the real key must not be taken for it.
  '{"choices":[{"message":{"content":"usage"}}],"usage" :\n {"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},"x":"usage","y":"\\"usage\\": 5"}',
  // prompt_logprobs after usage (vLLM writes them there), with a decoded token spelled usage.
  '{"usage":{"prompt_tokens":1,"total_tokens":1},"prompt_logprobs":[null,{"5":{"decoded_token":"usage"}}],"usage_x":1}',
  // Non-ASCII text before it, and a long run of whitespace after.
  `{"text":"é 日本 usage","usage":{"type":"duration","seconds":3}}${' '.repeat(5000)}`,
  '{"usage": null}',
  '{"data":[]}',
];

describe('UsageScanner', () => {
  it('finds what usageOf finds in the whole text, however the answer is cut into chunks', () => {
    for (const text of [embeddings, ...tricky]) {
      const whole = usageOf(text);
      for (const sizes of [[1], [2, 5, 3], [7], [63, 64, 65], [500, 13], [65536]]) {
        expect(scan(text, sizes), `${text.slice(0, 40)} in pieces of ${sizes.join('/')}`).toEqual(whole);
      }
    }
    expect(scan(embeddings, [333])).toEqual({ prompt_tokens: 612, completion_tokens: 0, total_tokens: 612 });
  });
});
