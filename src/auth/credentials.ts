/**
 * Where clients put their key, in LiteLLM's order of precedence: `x-litellm-api-key` (LiteLLM clients that also talk
 * to an upstream with Authorization), `Authorization: Bearer` (OpenAI SDKs), `api-key` (Azure-style clients),
 * `x-api-key` (Anthropic-style clients).
 */
export function presentedKey(headers: Headers): string | undefined {
  for (const name of ['x-litellm-api-key', 'authorization', 'api-key', 'x-api-key']) {
    const value = headers.get(name)?.trim();
    if (value) return value.replace(/^Bearer\s+/i, '').trim() || undefined;
  }
  return undefined;
}
