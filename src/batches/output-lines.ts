/** OpenAI batch output lines (also vLLM's offline format): one JSON object per request, in the output or error file. */
function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `batch_req_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function responseLine(customId: string, statusCode: number, callId: string, body: unknown): string {
  return JSON.stringify({ id: requestId(), custom_id: customId, response: { status_code: statusCode, request_id: callId, body }, error: null });
}

/**
 * A response line around an answer written as it streams (too large to hold): what goes before the answer's JSON
 * and what after, the same members in the same order as `responseLine`.
 */
export function responseLineParts(customId: string, statusCode: number, callId: string): { before: string; after: string } {
  const before =
    `{"id":${JSON.stringify(requestId())},"custom_id":${JSON.stringify(customId)},` +
    `"response":{"status_code":${statusCode},"request_id":${JSON.stringify(callId)},"body":`;
  return { before, after: '},"error":null}' };
}

export function errorLine(customId: string, code: string, message: string): string {
  return JSON.stringify({ id: requestId(), custom_id: customId, response: null, error: { code, message } });
}
