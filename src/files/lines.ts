/**
 * Splits a byte stream into lines without decoding the whole stream: a line's bytes are decoded once it is
 * complete, and its byte offset is known (batch runners read single lines back from R2 by range).
 */
export interface Line {
  /** 1-based, counting every physical line (blank ones too), as editors number them. */
  number: number;
  offset: number;
  /** Bytes, without the line break. */
  length: number;
  text: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export class InvalidUtf8 extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not valid UTF-8`);
  }
}

export class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private number = 0;

  push(chunk: Uint8Array): Line[] {
    const out: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      out.push(this.finish(chunk.subarray(start, nl), 1));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.slice(start));
      this.pendingBytes += chunk.length - start;
    }
    return out;
  }

  /** The last line, when the stream does not end with a line break. */
  end(): Line[] {
    return this.pendingBytes > 0 ? [this.finish(new Uint8Array(0), 0)] : [];
  }

  /** The number the line being read will get. */
  get nextLine(): number {
    return this.number + 1;
  }

  /** Bytes of the line being read so far (to refuse absurdly long lines early). */
  get partialBytes(): number {
    return this.pendingBytes;
  }

  private finish(tail: Uint8Array, breakBytes: number): Line {
    let bytes = tail;
    if (this.pendingBytes > 0) {
      bytes = new Uint8Array(this.pendingBytes + tail.length);
      let at = 0;
      for (const p of this.pending) {
        bytes.set(p, at);
        at += p.length;
      }
      bytes.set(tail, at);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const length = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, length));
    } catch {
      throw new InvalidUtf8(this.number + 1);
    }
    const line = { number: ++this.number, offset: this.offset, length, text };
    this.offset += bytes.length + breakBytes;
    return line;
  }
}
