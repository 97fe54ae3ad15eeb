/**
 * The longest answer a batch line keeps. The runner stores every line's output line in one SQLite row, and a row
 * holds at most 2 MB; the answer is also held in the lane's memory while the line is reported. Larger answers
 * (an embeddings line with many inputs at a high dimension) end as an error line naming their size.
 */
export const MAX_LINE_ANSWER_BYTES = 1536 * 1024;

export interface LineAnswer {
  /** The answer's text, when it fits. */
  text: string | undefined;
  /** Its full size in bytes. */
  bytes: number;
}

/**
 * Reads a batch line's answer to its end (so its usage is read and booked as for any call) while keeping at most
 * `limit` bytes of it: past that, the rest is only counted.
 */
export async function readLineAnswer(res: Response, limit = MAX_LINE_ANSWER_BYTES): Promise<LineAnswer> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) <= limit) {
    const text = await res.text();
    return { text, bytes: Number(declared) };
  }
  if (!res.body) return { text: '', bytes: 0 };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes <= limit) text += decoder.decode(value, { stream: true });
  }
  return bytes <= limit ? { text: text + decoder.decode(), bytes } : { text: undefined, bytes };
}
