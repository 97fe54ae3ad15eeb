/**
 * The two chat-request rewrites LiteLLM's hosted_vllm provider performs, so migrating clients keep working:
 * user `file` parts holding video become vLLM's `video_url` parts, and Anthropic-style `thinking.budget_tokens`
 * becomes `reasoning_effort`. Everything else in the request is left exactly as sent.
 */
import type { TopLevelEdits } from '../../http/json-edit';

type Part = Record<string, unknown>;

function videoUrlOf(part: Part): string | undefined {
  if (part.type !== 'file' || !part.file || typeof part.file !== 'object') return undefined;
  const file = part.file as Record<string, unknown>;
  const url = typeof file.file_data === 'string' ? file.file_data : typeof file.file_id === 'string' ? file.file_id : '';
  if (!url) return undefined;
  const format = typeof file.format === 'string' ? file.format.toLowerCase() : '';
  const dataMime = /^data:([^;,]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  const isVideo = format.startsWith('video/') || dataMime.startsWith('video/');
  return isVideo ? url : undefined;
}

function hasFilePart(message: unknown): boolean {
  if (!message || typeof message !== 'object') return false;
  const m = message as Record<string, unknown>;
  return m.role === 'user' && Array.isArray(m.content) && m.content.some((p: unknown) => (p as Part | null)?.type === 'file');
}

/** Returns the rewritten messages when a user message carries a video `file` part, else undefined. */
export function convertVideoParts(messages: unknown): unknown[] | undefined {
  // Checked before anything is copied: almost no request has a `file` part, and this runs on every chat request.
  if (!Array.isArray(messages) || !messages.some(hasFilePart)) return undefined;
  let changed = false;
  const out = messages.map((message: unknown) => {
    if (!message || typeof message !== 'object') return message;
    const m = message as Record<string, unknown>;
    if (m.role !== 'user' || !Array.isArray(m.content)) return message;
    let touched = false;
    const content = (m.content as unknown[]).map((part) => {
      if (!part || typeof part !== 'object') return part;
      const url = videoUrlOf(part as Part);
      if (url === undefined) return part;
      touched = true;
      return { type: 'video_url', video_url: { url } };
    });
    if (!touched) return message;
    changed = true;
    return { ...m, content };
  });
  return changed ? out : undefined;
}

/** LiteLLM's mapping of a thinking budget to an effort level. */
export function effortForBudget(budget: number): 'high' | 'medium' | 'low' | 'minimal' {
  if (budget >= 10000) return 'high';
  if (budget >= 5000) return 'medium';
  if (budget >= 2000) return 'low';
  return 'minimal';
}

/** The edits a chat request needs beyond the model name. */
export function chatEdits(body: Record<string, unknown>): TopLevelEdits {
  const edits: TopLevelEdits = {};
  const messages = convertVideoParts(body.messages);
  if (messages) edits.messages = messages;
  if ('thinking' in body) {
    const thinking = body.thinking as { budget_tokens?: unknown } | null;
    const budget = thinking && typeof thinking === 'object' ? thinking.budget_tokens : undefined;
    if (body.reasoning_effort === undefined && typeof budget === 'number') {
      edits.reasoning_effort = effortForBudget(budget);
    }
    // vLLM would ignore it; LiteLLM removes it once translated, so does the gateway.
    edits.thinking = undefined;
  }
  return edits;
}
