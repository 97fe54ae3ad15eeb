/**
 * The usual bodies of the JSON inference routes, checked by hand: when a check says yes, its route's schema
 * (schemas.ts) does too (test/unit/quick-checks.test.ts holds each pair together), but nothing is copied. zod
 * builds a copy of every object and array it checks (the body, each message, an embeddings input list): ~9 % of
 * what a chat request allocates, more for long inputs, and the gateway uses only `model` and `stream` of it.
 * Anything a check does not take goes to the schema, which decides and names the problem.
 */
export type ModelAndStream = { model: string; stream?: boolean | null };

export function isPlainChat(body: Record<string, unknown>): body is ModelAndStream {
  const { messages } = body;
  if (!hasModel(body) || !Array.isArray(messages) || messages.length === 0) return false;
  for (const m of messages) if (!isObject(m) || typeof m.role !== 'string') return false;
  return streamFields(body) && optional(body.max_tokens, isCount) && optional(body.max_completion_tokens, isCount) && optional(body.n, isCount);
}

export function isPlainCompletion(body: Record<string, unknown>): body is ModelAndStream {
  return hasModel(body) && isPrompt(body.prompt) && streamFields(body) && optional(body.max_tokens, isCount) && optional(body.n, isCount);
}

export function isPlainEmbedding(body: Record<string, unknown>): body is ModelAndStream {
  const format = body.encoding_format;
  return (
    hasModel(body) &&
    isPrompt(body.input) &&
    (format === undefined || format === 'float' || format === 'base64') &&
    optional(body.dimensions, isCount)
  );
}

function hasModel(body: Record<string, unknown>): boolean {
  return typeof body.model === 'string' && body.model !== '';
}

function streamFields(body: Record<string, unknown>): boolean {
  return optional(body.stream, isBoolean) && optional(body.stream_options, (o) => isObject(o) && optional(o.include_usage, isBoolean));
}

/** A string, a list of strings, a list of token ids, or a list of such lists (prompts, embedding inputs). */
function isPrompt(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (!Array.isArray(v)) return false;
  return v.every((x) => typeof x === 'string') || v.every(Number.isSafeInteger) || v.every((x) => Array.isArray(x) && x.every(Number.isSafeInteger));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}

/** What the schemas' `count` takes: a positive safe integer. */
function isCount(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

/** Absent or null (the schemas' optional + nullable), or passing `check`. */
function optional(v: unknown, check: (v: unknown) => boolean): boolean {
  return v === undefined || v === null || check(v);
}
