// Batch-file builders shared by the workerd tests and the Node e2e tests (no runtime imports: both can load it).

/** One chat request line of a batch input file. */
export function batchLine(customId: string, content = 'hello world', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'ignored', messages: [{ role: 'user', content }], max_tokens: 4, ...extra },
  });
}

export function jsonl(lines: string[]): string {
  return lines.join('\n') + '\n';
}
