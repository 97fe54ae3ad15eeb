import { describe, expect, it } from 'vitest';
import { tapSse, type StreamOutcome } from '../../src/upstream/sse-tap';

const enc = new TextEncoder();

function source(chunks: string[], failAtEnd = false): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(enc.encode(chunks[i++]!));
      else if (failAtEnd) controller.error(new Error('connection reset'));
      else controller.close();
    },
  });
}

async function run(chunks: string[], strip: boolean, failAtEnd = false): Promise<{ text: string; outcome: StreamOutcome }> {
  let outcome!: StreamOutcome;
  const out = tapSse(source(chunks, failAtEnd), {
    stripUsageChunk: strip,
    onChunk: () => undefined,
    onRead: () => undefined,

    describeError: () => 'broke',
    onEnd: (o) => (outcome = o),
  });
  return { text: await new Response(out).text(), outcome };
}

const chunk = (content: string): string => `data: {"choices":[{"delta":{"content":"${content}"}}]}\n\n`;
const usage = 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n';

describe('tapSse', () => {
  it('forwards events untouched and reads the usage chunk', async () => {
    const chunks = [chunk('a'), chunk('b'), usage, 'data: [DONE]\n\n'];
    const { text, outcome } = await run(chunks, false);
    expect(text).toBe(chunks.join(''));
    expect(outcome).toMatchObject({ completed: true, error: undefined, usage: { total_tokens: 5 }, events: 2 });
  });

  it('removes the usage chunk when the gateway asked for it, even when events are split across chunks', async () => {
    const whole = chunk('a') + usage + 'data: [DONE]\n\n';
    const pieces = whole.match(/[\s\S]{1,7}/g)!;
    const { text, outcome } = await run(pieces, true);
    expect(text).toBe(chunk('a') + 'data: [DONE]\n\n');
    expect(outcome.usage?.total_tokens).toBe(5);
  });

  it('ends a cut stream with an error event, never with [DONE]', async () => {
    const { text, outcome } = await run([chunk('a'), 'data: {"choi'], false);
    expect(text.startsWith(chunk('a'))).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect(text).not.toMatch(/\{"choi(?!ces)/);
    const last = JSON.parse(text.trim().split('\n\n').pop()!.slice(6)) as { error: { message: string; code: string } };
    expect(last.error.message).toMatch(/ended before/);
    expect(outcome.completed).toBe(false);
  });

  it('turns a read failure into an error event with the described message', async () => {
    const { text } = await run([chunk('a')], false, true);
    expect(text).toContain('"message":"broke"');
  });
});
