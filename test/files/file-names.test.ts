import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { saveFileRecord } from '../../src/files/file-store';
import { encodeId, newInternalId } from '../../src/files/ids';
import { MASTER_OWNER } from '../../src/files/owner';
import { fileKey } from '../../src/files/r2-layout';
import { B, FORM_TYPE, formBytes } from '../helpers/broken-body';
import { call, callJson, expectEnvelope } from '../helpers/gateway';
import { newKey } from '../helpers/keys';

/** A Files API form with the file name exactly as given (FormData would escape some characters). */
function fileForm(filename: string, content: string): Uint8Array {
  return formBytes(
    `--${B}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n`,
    `--${B}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`,
    content,
    `\r\n--${B}--\r\n`,
  );
}

/** The downloaded bytes as text (the content type is octet-stream, so not `res.text()`). */
const textOf = async (res: Response): Promise<string> => new TextDecoder().decode(await res.arrayBuffer());

const postFile = (filename: string, content: string, key?: string) =>
  callJson<{ id: string; filename: string }>('/v1/files', {
    method: 'POST',
    body: fileForm(filename, content),
    headers: { 'content-type': FORM_TYPE },
    ...(key ? { key } : {}),
  });

const CONTROL_NAMES: [string, string][] = [
  ['a\u0000b.txt', 'U+0000'],
  ['a\u0001b.txt', 'U+0001'],
  ['tab\there.txt', 'U+0009'],
  ['a\u000bb.txt', 'U+000B'],
  ['a\u001fb.txt', 'U+001F'],
  ['a\u007fb.txt', 'U+007F'],
];

/** Checks a Content-Disposition the way a strict client would, and returns the file name it carries. */
function nameIn(header: string | null): string {
  expect(header).not.toBeNull();
  // Printable ASCII only: anything else is not a valid header value (Node's fetch refuses control bytes).
  expect(header).toMatch(/^[\x20-\x7e]+$/);
  const extended = /; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/.exec(header!);
  const plain = /^attachment; filename="([^"\\]*)"/.exec(header!);
  expect(plain).not.toBeNull();
  return extended ? decodeURIComponent(extended[1]!) : plain![1]!;
}

describe('file names', () => {
  it('a Files API upload whose file name holds a control character is refused with a 400 naming it, and nothing is kept', async () => {
    const k = await newKey();
    for (const [name, code] of CONTROL_NAMES) {
      const { status, body } = await postFile(name, 'hello', k.key);
      expect(status, code).toBe(400);
      const error = expectEnvelope(body);
      expect(error).toMatchObject({ type: 'invalid_request_error', param: 'file', code: '400' });
      expect(error.message).toContain(`control character ${code}`);
    }
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: k.key })).body.data).toEqual([]);
  });

  it('an Uploads API upload whose filename holds a control character is refused with a 400', async () => {
    const k = await newKey();
    for (const [name, code] of CONTROL_NAMES) {
      const { status, body } = await callJson('/v1/uploads', {
        method: 'POST',
        key: k.key,
        json: { filename: name, purpose: 'user_data', bytes: 5, mime_type: 'text/plain' },
      });
      expect(status, code).toBe(400);
      const error = expectEnvelope(body);
      expect(error).toMatchObject({ type: 'invalid_request_error', param: 'filename' });
      expect(error.message).toContain(`control character ${code}`);
    }
  });

  it('any other name is kept exactly and downloads with a valid Content-Disposition that carries it', async () => {
    const names = ['plain name.txt', 'résumé final.txt', '報告 2026.pdf', 'emoji 🎧.wav', "it's (1) 100%.txt", 'back\\slash.txt'];
    for (const name of names) {
      const { status, body } = await postFile(name, `content of ${name}`);
      expect(status, name).toBe(200);
      expect(body.filename).toBe(name);
      const res = await call(`/v1/files/${body.id}/content`);
      expect(res.status, name).toBe(200);
      const header = res.headers.get('content-disposition');
      expect(nameIn(header), name).toBe(name);
      if (name === 'plain name.txt') expect(header).toBe('attachment; filename="plain name.txt"');
      expect(await textOf(res)).toBe(`content of ${name}`);
    }
    // A double quote can only come through the Uploads API (multipart file names escape it).
    const quoted = 'résumé "final".txt';
    const up = await callJson<{ id: string }>('/v1/uploads', {
      method: 'POST',
      json: { filename: quoted, purpose: 'user_data', bytes: 3, mime_type: 'text/plain' },
    });
    const form = new FormData();
    form.append('data', new Blob(['abc']));
    const part = await callJson<{ id: string }>(`/v1/uploads/${up.body.id}/parts`, { method: 'POST', body: form });
    const done = await callJson<{ file: { id: string; filename: string } }>(`/v1/uploads/${up.body.id}/complete`, {
      method: 'POST',
      json: { part_ids: [part.body.id] },
    });
    expect(done.body.file.filename).toBe(quoted);
    const res = await call(`/v1/files/${done.body.file.id}/content`);
    expect(nameIn(res.headers.get('content-disposition'))).toBe(quoted);
    expect(await textOf(res)).toBe('abc');
  });

  it('a file stored before names were checked (control characters in its name) still downloads', async () => {
    const internal = newInternalId();
    const name = 'old\u0000na\u0001me\u000b\u007f\r\n.txt';
    const content = new TextEncoder().encode('stored long ago');
    await env.FILES.put(fileKey(MASTER_OWNER, internal), content);
    const id = encodeId('file', internal, '');
    await saveFileRecord(env.FILES, {
      id,
      internal,
      owner: MASTER_OWNER,
      model: '',
      purpose: 'user_data',
      filename: name,
      bytes: content.length,
      created_at: Math.floor(Date.now() / 1000),
    });
    const res = await call(`/v1/files/${id}/content`);
    expect(res.status).toBe(200);
    expect(nameIn(res.headers.get('content-disposition'))).toBe(name);
    expect(await textOf(res)).toBe('stored long ago');
    expect((await callJson<{ filename: string }>(`/v1/files/${id}`)).body.filename).toBe(name);
  });
});
