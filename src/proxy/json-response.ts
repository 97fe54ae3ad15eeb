import type { UpstreamResponse } from '../upstream/vllm/client';
import { readUsage, type Usage } from '../upstream/usage';

export interface JsonAnswer {
  body: string;
  contentType: string;
  usage: Usage | undefined;
}

/**
 * Reads a complete upstream answer and its usage. The body goes back byte for byte unless `reshape` must add
 * something; non-JSON answers (a transcription with response_format=text) pass through as they are.
 */
export async function readJsonAnswer(
  upstream: UpstreamResponse,
  reshape?: (value: Record<string, unknown>) => Record<string, unknown>,
): Promise<JsonAnswer> {
  const { response } = upstream;
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw upstream.mapReadError(err);
  } finally {
    upstream.finish();
  }
  const contentType = response.headers.get('content-type') ?? 'application/json';
  if (!reshape || !contentType.includes('json')) return answerOf(text, contentType);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { body: text, contentType, usage: undefined };
  }
  return { body: JSON.stringify(reshape(parsed)), contentType, usage: readUsage(parsed.usage) };
}

/** A complete answer forwarded as it came: its usage read from the text, none from a non-JSON answer. */
export function answerOf(text: string, contentType: string): JsonAnswer {
  return { body: text, contentType, usage: contentType.includes('json') ? usageOf(text) : undefined };
}

/**
 * The `usage` of a JSON answer without parsing the whole answer: an embeddings response is mostly numbers the
 * gateway never reads. Inside JSON strings quotes are escaped, so `"usage"` followed by `:` is always a key; vLLM
 * writes the top-level one after everything else, so the last one is taken.
 */
export function usageOf(text: string): Usage | undefined {
  for (let at = text.lastIndexOf('"usage"'); at >= 0; at = text.lastIndexOf('"usage"', at - 1)) {
    let i = at + 7;
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r') i++;
    if (text[i] !== ':') continue;
    let open = i + 1;
    while (text[open] === ' ' || text[open] === '\n' || text[open] === '\t' || text[open] === '\r') open++;
    // `"usage": null` (or anything but an object) means no usage.
    if (text[open] !== '{') return undefined;
    const end = objectEnd(text, open);
    if (end < 0) return undefined;
    try {
      return readUsage(JSON.parse(text.slice(open, end)));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Offset just past the object opening at `open` (usage objects are small and flat, but strings are skipped). */
function objectEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return -1;
}
