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
  if (!contentType.includes('json')) return { body: text, contentType, usage: undefined };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { body: text, contentType, usage: undefined };
  }
  const usage = readUsage(parsed.usage);
  return { body: reshape ? JSON.stringify(reshape(parsed)) : text, contentType, usage };
}
