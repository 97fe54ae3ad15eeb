// Before any timing: each target must answer the exact requests the benchmark replays, and answer them right.
import { newAgent, send, type Job } from './client';

function fail(target: string, what: string, status: number, text: string | undefined): never {
  throw new Error(`${target}: ${what} (HTTP ${status}): ${(text ?? '').slice(0, 300)}`);
}

/** A chat completion with a non-empty assistant message. */
export async function checkJson(target: string, job: Job): Promise<void> {
  const agent = newAgent(1);
  const out = await send(agent, job, true).finally(() => agent.destroy());
  if (out.status !== 200) fail(target, 'chat completion failed', out.status, out.text);
  let content: unknown;
  try {
    const body = JSON.parse(out.text ?? '') as { choices?: { message?: { content?: unknown } }[] };
    content = body.choices?.[0]?.message?.content;
  } catch {
    fail(target, 'chat completion is not JSON', out.status, out.text);
  }
  if (typeof content !== 'string' || content === '') fail(target, 'chat completion has no content', out.status, out.text);
}

/** An SSE stream of chat chunks that ends with `[DONE]`. */
export async function checkStream(target: string, job: Job): Promise<void> {
  const agent = newAgent(1);
  const out = await send(agent, job, true).finally(() => agent.destroy());
  const text = out.text ?? '';
  if (out.status !== 200) fail(target, 'stream failed', out.status, text);
  if (!text.startsWith('data: {') || !text.includes('"chat.completion.chunk"')) {
    fail(target, 'not a chat SSE stream', out.status, text);
  }
  if (!text.trimEnd().endsWith('data: [DONE]')) fail(target, 'stream does not end with [DONE]', out.status, text);
}
