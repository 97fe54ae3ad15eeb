import { describe, expect, it } from 'vitest';
import { MultipartScanner, type Segment } from '../../src/http/multipart/scanner';

const enc = new TextEncoder();
const dec = new TextDecoder();

function form(boundary: string, parts: { name: string; value: string; filename?: string }[]): string {
  let out = '';
  for (const p of parts) {
    out += `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.filename) out += 'Content-Type: application/octet-stream\r\n';
    out += `\r\n${p.value}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

/** Feeds the body in chunks of `size` bytes and rebuilds it with the model replaced (as the gateway does). */
function rewrite(body: string, boundary: string, size: number, served: string): { out: string; model?: string } {
  const scanner = new MultipartScanner(boundary);
  const bytes = enc.encode(body);
  const segments: Segment[] = [];
  for (let i = 0; i < bytes.length; i += size) segments.push(...scanner.push(bytes.subarray(i, i + size)));
  segments.push(...scanner.end());
  let out = '';
  let model: string | undefined;
  for (const s of segments) {
    if (s.kind === 'bytes') out += dec.decode(s.data);
    else if (s.kind === 'field') {
      model = s.value;
      out += dec.decode(s.headers) + served;
    }
  }
  return { out, ...(model !== undefined ? { model } : {}) };
}

describe('MultipartScanner', () => {
  const boundary = '----formdata-undici-0123456789';
  const file = 'RIFF....WAVE' + '\r\n--not-the-boundary\r\n'.repeat(3) + 'x'.repeat(5000);
  const body = form(boundary, [
    { name: 'file', value: file, filename: 'a.wav' },
    { name: 'model', value: 'my-group' },
    { name: 'response_format', value: 'text' },
  ]);

  it('finds the model after the file and rewrites only its value, whatever the chunking', () => {
    const expected = body.replace('\r\n\r\nmy-group\r\n', '\r\n\r\nserved-name\r\n');
    for (const size of [1, 2, 3, 7, 64, 1000, body.length]) {
      const { out, model } = rewrite(body, boundary, size, 'served-name');
      expect(model).toBe('my-group');
      expect(out).toBe(expected);
    }
  });

  it('passes a form without a model field through unchanged', () => {
    const plain = form(boundary, [{ name: 'file', value: 'abc', filename: 'x' }]);
    expect(rewrite(plain, boundary, 5, 'unused')).toEqual({ out: plain });
  });

  it('refuses a body that ends before its closing boundary', () => {
    const scanner = new MultipartScanner(boundary);
    scanner.push(enc.encode(body.slice(0, 200)));
    expect(() => scanner.end()).toThrow(/closing boundary/);
  });
});
