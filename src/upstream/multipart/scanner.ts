/**
 * An incremental multipart/form-data scanner that finds chosen text fields (`model`, `response_format`) without
 * buffering the upload. File bytes are handed back as they arrive (minus a short tail that may hold the start of a
 * delimiter); each chosen field is returned as its own segment so the caller can substitute its value.
 */
export type Segment =
  | { kind: 'bytes'; data: Uint8Array }
  /** A chosen field: the caller emits `headers`, then the (possibly new) value. */
  | { kind: 'field'; name: string; value: string; headers: Uint8Array; raw: Uint8Array }
  /** Emitted just before the closing delimiter, so a missing field can be added as the last part. */
  | { kind: 'close' };

const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 1024;

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'field' | 'epilogue';

export class MultipartError extends Error {}

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

export class MultipartScanner {
  private readonly delimiter: Uint8Array;
  private buf: Uint8Array = new Uint8Array(0);
  private state: State = 'preamble';
  /** Output bytes still to swallow: the virtual CRLF the constructor put in front of the body. */
  private skip = 2;
  private fieldName = '';
  private fieldBytes: Uint8Array = new Uint8Array(0);

  constructor(
    boundary: string,
    private readonly fields: ReadonlySet<string> = new Set(['model']),
  ) {
    // The first delimiter has no leading CRLF; scanning "\r\n" + body makes every delimiter look the same.
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
    this.buf = CRLF;
  }

  push(chunk: Uint8Array): Segment[] {
    this.buf = concat(this.buf, chunk);
    return this.drain(false);
  }

  end(): Segment[] {
    const out = this.drain(true);
    if (this.state !== 'epilogue') throw new MultipartError('multipart body ended before its closing boundary');
    return out;
  }

  private emit(out: Segment[], data: Uint8Array): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      data = data.subarray(n);
    }
    if (data.length > 0) out.push({ kind: 'bytes', data });
  }

  private drain(final: boolean): Segment[] {
    const out: Segment[] = [];
    for (;;) {
      if (this.state === 'epilogue') {
        this.emit(out, this.buf);
        this.buf = new Uint8Array(0);
        return out;
      }
      if (this.state === 'after-delimiter') {
        if (this.buf.length < 2) return out;
        if (this.buf[0] === 45 && this.buf[1] === 45) {
          out.push({ kind: 'close' });
          this.emit(out, this.delimiter);
          this.state = 'epilogue';
          continue;
        }
        this.emit(out, this.delimiter);
        this.state = 'headers';
        continue;
      }
      if (this.state === 'headers') {
        const end = indexOfBytes(this.buf, HEADER_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers are too large');
          return out;
        }
        const headers = new TextDecoder().decode(this.buf.subarray(0, end + 4));
        const name = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1] ?? '';
        const chosen = this.fields.has(name) && !/filename=/i.test(headers);
        if (chosen) {
          this.fieldName = name;
          this.fieldBytes = this.buf.slice(0, end + 4);
        } else this.emit(out, this.buf.subarray(0, end + 4));
        this.buf = this.buf.subarray(end + 4);
        this.state = chosen ? 'field' : 'body';
        continue;
      }
      // preamble, body or field: look for the next delimiter.
      const at = indexOfBytes(this.buf, this.delimiter);
      if (at < 0) {
        // Keep a tail that could be the start of a delimiter split across chunks.
        const keep = final ? 0 : Math.min(this.buf.length, this.delimiter.length - 1);
        this.take(out, this.buf.subarray(0, this.buf.length - keep));
        this.buf = this.buf.slice(this.buf.length - keep);
        return out;
      }
      this.take(out, this.buf.subarray(0, at));
      if (this.state === 'field') {
        const headersAndValue = this.fieldBytes;
        const headerEnd = indexOfBytes(headersAndValue, HEADER_END) + 4;
        out.push({
          kind: 'field',
          name: this.fieldName,
          value: new TextDecoder().decode(headersAndValue.subarray(headerEnd)).trim(),
          headers: headersAndValue.subarray(0, headerEnd),
          raw: headersAndValue.subarray(headerEnd),
        });
      }
      this.buf = this.buf.subarray(at + this.delimiter.length);
      this.state = 'after-delimiter';
    }
  }

  private take(out: Segment[], data: Uint8Array): void {
    if (this.state !== 'field') return this.emit(out, data);
    this.fieldBytes = concat(this.fieldBytes, data);
    if (this.fieldBytes.length > MAX_FIELD_BYTES + MAX_HEADER_BYTES) {
      throw new MultipartError(`${this.fieldName} field is too long`);
    }
  }
}
