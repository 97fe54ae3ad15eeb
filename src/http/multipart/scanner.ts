import { MultipartError, MultipartParser, type PartEvent } from './parser';

export { MultipartError } from './parser';

/**
 * Finds chosen text fields (`model`, `response_format`) in a streamed multipart body so their values can be
 * substituted, handing every other byte back unchanged as it arrives.
 */
export type Segment =
  | { kind: 'bytes'; data: Uint8Array }
  /** A chosen field: the caller emits `headers`, then the (possibly new) value. */
  | { kind: 'field'; name: string; value: string; headers: Uint8Array; raw: Uint8Array }
  /** Emitted just before the closing delimiter, so a missing field can be added as the last part. */
  | { kind: 'close' };

/** A form field worth substituting is short; anything longer is not the field the gateway is looking for. */
const MAX_FIELD_BYTES = 1024;

export class MultipartScanner {
  private readonly parser: MultipartParser;
  private field: { name: string; headers: Uint8Array; chunks: Uint8Array[]; size: number } | undefined;

  constructor(
    boundary: string,
    private readonly fields: ReadonlySet<string> = new Set(['model']),
  ) {
    this.parser = new MultipartParser(boundary);
  }

  push(chunk: Uint8Array): Segment[] {
    return this.map(this.parser.push(chunk));
  }

  end(): Segment[] {
    return this.map(this.parser.end());
  }

  private map(events: PartEvent[]): Segment[] {
    const out: Segment[] = [];
    for (const e of events) {
      if (e.kind === 'data' && this.field) {
        this.field.chunks.push(e.raw);
        this.field.size += e.raw.length;
        if (this.field.size > MAX_FIELD_BYTES) throw new MultipartError(`${this.field.name} field is too long`);
        continue;
      }
      if (e.kind === 'headers' || e.kind === 'close') this.finishField(out);
      if (e.kind === 'close') out.push({ kind: 'close' });
      if (e.kind === 'headers' && this.fields.has(e.name) && e.filename === undefined) {
        this.field = { name: e.name, headers: e.raw, chunks: [], size: 0 };
        continue;
      }
      out.push({ kind: 'bytes', data: e.raw });
    }
    return out;
  }

  private finishField(out: Segment[]): void {
    const f = this.field;
    if (!f) return;
    this.field = undefined;
    const raw = new Uint8Array(f.size);
    let at = 0;
    for (const c of f.chunks) {
      raw.set(c, at);
      at += c.length;
    }
    out.push({ kind: 'field', name: f.name, value: new TextDecoder().decode(raw).trim(), headers: f.headers, raw });
  }
}
