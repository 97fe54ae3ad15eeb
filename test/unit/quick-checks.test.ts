// The hand checks that spare the usual bodies zod's copy must never let through a body their schema refuses, and
// must take the bodies clients actually send (else they spare nothing). Over a domain of right and wrong values for
// every field a schema reads, each check and its schema agree exactly.
import { describe, expect, it } from 'vitest';
import { isPlainChat, isPlainCompletion, isPlainEmbedding } from '../../src/openai/quick-checks';
import { chatRequestSchema, completionRequestSchema, embeddingRequestSchema } from '../../src/openai/schemas';

type Fields = Record<string, { right: unknown[]; wrong: unknown[] }>;

const counts = (right: unknown[] = []) => ({ right: [undefined, null, 1, 4096, 2 ** 53 - 1, ...right], wrong: [0, -1, 1.5, 2 ** 53, '5', true, Number.NaN] });
const model = { right: ['m', 'org/model-7b'], wrong: [undefined, null, '', 3, ['m'], {}] };
const stream = { right: [undefined, null, true, false], wrong: ['true', 1, 0] };
const streamOptions = { right: [undefined, null, {}, { include_usage: true }, { include_usage: null }, { other: 1 }], wrong: [{ include_usage: 'yes' }, [], 'x', true] };
const prompt = {
  right: ['hi', '', [], ['a', 'b'], [1, 2, 3], [-1, 0], [[1, 2], [3]], [[]]],
  wrong: [undefined, null, 3, ['a', 1], [1, 'a'], [1.5], [[1], ['a']], [[1, 2], 3], [['a']], [2 ** 53], {}, [null], true],
};

const DOMAINS: [string, (b: Record<string, unknown>) => boolean, { safeParse(v: unknown): { success: boolean } }, Fields][] = [
  [
    'chat',
    isPlainChat,
    chatRequestSchema,
    {
      model,
      messages: {
        right: [[{ role: 'user', content: 'hi' }], [{ role: 'user' }, { role: 'assistant', content: null }]],
        wrong: [undefined, null, [], [{ role: 1 }], [{ content: 'x' }], [null], [['user']], 'hi', {}],
      },
      stream,
      stream_options: streamOptions,
      max_tokens: counts(),
      max_completion_tokens: counts(),
      n: counts(),
    },
  ],
  ['completion', isPlainCompletion, completionRequestSchema, { model, prompt, stream, stream_options: streamOptions, max_tokens: counts(), n: counts() }],
  [
    'embedding',
    isPlainEmbedding,
    embeddingRequestSchema,
    { model, input: prompt, encoding_format: { right: [undefined, 'float', 'base64'], wrong: [null, 'int8', 1] }, dimensions: counts() },
  ],
];

/** Deterministic pseudo-random bodies (xorshift), so a failure names a reproducible one. */
function* bodies(fields: Fields, count: number): Generator<Record<string, unknown>> {
  let x = 0x9e3779b9;
  const next = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  for (let i = 0; i < count; i++) {
    const body: Record<string, unknown> = { temperature: 0.2, top_k: 5 };
    // Each field wrong one time in twelve: about half the bodies are right, and most wrong ones have one wrong field.
    for (const [field, { right, wrong }] of Object.entries(fields)) {
      const pool = next(12) === 0 ? wrong : right;
      const v = pool[next(pool.length)];
      if (v !== undefined) body[field] = v;
    }
    yield body;
  }
}

describe('quick checks of the usual bodies', () => {
  it('take the bodies SDKs send', () => {
    const usual: [(b: Record<string, unknown>) => boolean, Record<string, unknown>][] = [
      [isPlainChat, { model: 'gpt', messages: [{ role: 'user', content: 'hello world' }], max_tokens: 16 }],
      [isPlainChat, { model: 'gpt', messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'x' }] }], stream: true, stream_options: { include_usage: true } }],
      [isPlainChat, { model: 'gpt', messages: [{ role: 'user', content: 'x' }], n: 1, max_completion_tokens: 100, stream: false, tools: [], chat_template_kwargs: {} }],
      [isPlainCompletion, { model: 'gpt', prompt: 'Say this is a test', max_tokens: 7, temperature: 0 }],
      [isPlainEmbedding, { model: 'e5', input: ['first passage', 'second passage'], encoding_format: 'float' }],
      [isPlainEmbedding, { model: 'e5', input: 'one', encoding_format: 'base64', dimensions: 256 }],
    ];
    for (const [check, body] of usual) expect(check(body), JSON.stringify(body)).toBe(true);
  });

  it.each(DOMAINS)('%s: agrees with its schema on 20,000 bodies of right and wrong values', (_name, check, schema, fields) => {
    let taken = 0;
    for (const body of bodies(fields, 20_000)) {
      const quick = check(body);
      if (quick !== schema.safeParse(body).success) throw new Error(`disagree (quick ${quick}): ${JSON.stringify(body)}`);
      if (quick) taken++;
    }
    // Both outcomes well represented: the domain tests the check, not only one side of it.
    expect(taken).toBeGreaterThan(5_000);
    expect(taken).toBeLessThan(15_000);
  });
});
