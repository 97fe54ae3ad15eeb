/**
 * An incremental multipart/form-data parser that never holds more than a part's headers and a delimiter-sized
 * tail. It emits events in order, each with the exact bytes it covers, so a consumer can copy the body through
 * (the transcription rewriter) or take one part's content out (file uploads).
 */
export type PartEvent =
  /** Everything from a part's delimiter to the end of its headers. */
  | { kind: 'headers'; raw: Uint8Array; name: string; filename: string | undefined; contentType: string | undefined }
  /** Bytes of the current part's content (a part may arrive in many). */
  | { kind: 'data'; raw: Uint8Array }
  /** The closing delimiter (without its trailing `--`). */
  | { kind: 'close'; raw: Uint8Array }
  /** The `--` that ends the closing delimiter, and anything after it. */
  | { kind: 'epilogue'; raw: Uint8Array }
  /** Bytes before the first delimiter (usually none). */
  | { kind: 'preamble'; raw: Uint8Array };

export class MultipartError extends Error {}

const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'data' | 'epilogue';

export class MultipartParser {
  private readonly delimiter: Uint8Array;
  /** Unconsumed input. Starts with a virtual CRLF so the first delimiter looks like every other one. */
  private buf: Uint8Array = new Uint8Array([13, 10]);
  private state: State = 'preamble';
  /** Bytes of the delimiter that opened the current headers (kept so `headers.raw` covers them). */
  private opening: Uint8Array = new Uint8Array(0);
  /** How much of the virtual CRLF is still unconsumed. */
  private virtualLeft = 2;

  constructor(boundary: string) {
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  push(chunk: Uint8Array): PartEvent[] {
    if (this.state === 'data' && this.buf.length < this.delimiter.length && chunk.length >= this.delimiter.length) {
      const fast = this.dataWithoutDelimiter(chunk);
      if (fast) return fast;
    }
    this.buf = concat(this.buf, chunk);
    return this.drain(false);
  }

  /**
   * The common case inside a file part: no delimiter in this chunk. Its bytes are handed on as they are (no copy
   * of the chunk) except a short tail that could begin the next delimiter.
   */
  private dataWithoutDelimiter(chunk: Uint8Array): PartEvent[] | undefined {
    // A delimiter starting in the held tail would end within the chunk's first delimiter-length bytes.
    if (indexOfBytes(concat(this.buf, chunk.subarray(0, this.delimiter.length)), this.delimiter) >= 0) return undefined;
    if (indexOfBytes(chunk, this.delimiter) >= 0) return undefined;
    const keep = this.delimiter.length - 1;
    const out: PartEvent[] = [];
    if (this.buf.length) out.push({ kind: 'data', raw: this.buf });
    out.push({ kind: 'data', raw: chunk.subarray(0, chunk.length - keep) });
    this.buf = chunk.slice(chunk.length - keep);
    return out;
  }

  end(): PartEvent[] {
    const out = this.drain(true);
    if (this.state !== 'epilogue') throw new MultipartError('multipart body ended before its closing boundary');
    return out;
  }

  private drain(final: boolean): PartEvent[] {
    const out: PartEvent[] = [];
    for (;;) {
      if (this.state === 'epilogue') {
        if (this.buf.length) out.push({ kind: 'epilogue', raw: this.buf });
        this.buf = new Uint8Array(0);
        return out;
      }
      if (this.state === 'after-delimiter') {
        if (this.buf.length < 2) return out;
        if (this.buf[0] === 45 && this.buf[1] === 45) {
          out.push({ kind: 'close', raw: this.opening });
          this.state = 'epilogue';
          continue;
        }
        this.state = 'headers';
        continue;
      }
      if (this.state === 'headers') {
        const end = indexOfBytes(this.buf, HEADER_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError('part headers are too large');
          return out;
        }
        const text = new TextDecoder().decode(this.buf.subarray(0, end));
        const disposition = /content-disposition:([^\r\n]*)/i.exec(text)?.[1] ?? '';
        out.push({
          kind: 'headers',
          raw: concat(this.opening, this.buf.slice(0, end + 4)),
          name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '',
          filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
          contentType: /content-type:\s*([^\r\n]*)/i.exec(text)?.[1]?.trim(),
        });
        this.buf = this.buf.subarray(end + 4);
        this.state = 'data';
        continue;
      }
      const at = indexOfBytes(this.buf, this.delimiter);
      if (at < 0) {
        // Keep a tail that could be the start of a delimiter split across chunks.
        const keep = final ? 0 : Math.min(this.buf.length, this.delimiter.length - 1);
        this.content(out, this.buf.subarray(0, this.buf.length - keep));
        this.buf = this.buf.slice(this.buf.length - keep);
        return out;
      }
      this.content(out, this.buf.subarray(0, at));
      // Without a preamble the first delimiter includes the virtual CRLF, which is not part of the body.
      this.opening = this.delimiter.slice(this.virtualLeft);
      this.virtualLeft = 0;
      this.buf = this.buf.subarray(at + this.delimiter.length);
      this.state = 'after-delimiter';
    }
  }

  private content(out: PartEvent[], data: Uint8Array): void {
    if (this.state === 'preamble') {
      // Drop the virtual CRLF; whatever real preamble follows is passed on.
      const skip = Math.min(this.virtualLeft, data.length);
      this.virtualLeft -= skip;
      if (data.length > skip) out.push({ kind: 'preamble', raw: data.subarray(skip) });
      return;
    }
    if (data.length) out.push({ kind: 'data', raw: data });
  }
}
