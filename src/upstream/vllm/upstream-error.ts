import { GatewayError } from '../../http/errors';

/** Upstream error bodies are small; anything bigger is not an error message worth relaying. */
const MAX_ERROR_BODY = 64 * 1024;

interface VllmErrorShape {
  message?: unknown;
  type?: unknown;
  param?: unknown;
}

/**
 * Normalises an upstream error into the gateway envelope, keeping vLLM's status, message, type and param. vLLM's
 * auth failure is the odd `{"error":"Unauthorized"}`; FastAPI's unknown route is `{"detail":"Not Found"}`. The key
 * the gateway sent (`apiKey`) is cut out of the message wherever it appears.
 */
export async function upstreamError(res: Response, deploymentId: string, apiKey?: string): Promise<GatewayError> {
  const text = await readCapped(res);
  let message = `Upstream returned HTTP ${res.status}`;
  let type: string | undefined;
  let param: string | null = null;
  try {
    const body = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    if (typeof body.error === 'string') message = body.error;
    else if (body.error && typeof body.error === 'object') {
      const e = body.error as VllmErrorShape;
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.type === 'string') type = e.type;
      if (typeof e.param === 'string') param = e.param;
    } else if (typeof body.detail === 'string') message = body.detail;
    else if (typeof body.message === 'string') message = body.message;
  } catch {
    if (text.trim()) message = text.trim().slice(0, 1000);
  }
  // An upstream (or a proxy in front of it) that echoes the request's headers must not hand the key to the client.
  if (apiKey && message.includes(apiKey)) message = message.split(apiKey).join('[redacted]');
  if (res.status === 401 || res.status === 403) {
    message = `Upstream deployment '${deploymentId}' rejected the gateway's credentials: ${message}`;
  }
  const headers: Record<string, string> = {};
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter) headers['retry-after'] = retryAfter;
  return new GatewayError('upstream_error', message, {
    status: res.status,
    type: type ?? 'upstream_error',
    param,
    headers,
  });
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.length > MAX_ERROR_BODY) {
      await reader.cancel();
      break;
    }
  }
  return text;
}
