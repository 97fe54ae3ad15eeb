import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { B, FORM_TYPE, breakingBody, directRequest, formBytes, postDirect, sendDirect, watchedBody } from '../helpers/broken-body';
import { callJson, expectEnvelope } from '../helpers/gateway';

const BROKEN = /^The request body could not be read in full/;

/** A key and its stable id (the owner part of its R2 paths). */
async function keyWithId(): Promise<{ key: string; id: string }> {
  const { body } = await callJson<{ key: string; key_id: string }>('/key/generate', { method: 'POST', json: {} });
  return { key: body.key, id: body.key_id };
}

async function r2Keys(prefix: string): Promise<string[]> {
  return (await env.FILES.list({ prefix })).objects.map((o) => o.key);
}

describe('request bodies that break off', () => {
  it('POST /v1/files: a 400, no file listed, nothing left in R2 (also once a multipart upload to R2 has begun)', async () => {
    const owner = await keyWithId();
    for (const size of [1000, 10 * 1024 * 1024]) {
      const bytes = formBytes(
        `--${B}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n`,
        `--${B}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`,
        new Uint8Array(size).fill(7),
      );
      const res = await postDirect('/v1/files', {
        key: owner.key,
        body: breakingBody(bytes),
        contentLength: bytes.length + 50,
        headers: { 'content-type': FORM_TYPE },
      });
      expect(res.status, String(size)).toBe(400);
      const error = expectEnvelope(await res.json());
      expect(error).toMatchObject({ type: 'invalid_request_error', code: '400' });
      expect(error.message).toMatch(BROKEN);
    }
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: owner.key })).body.data).toEqual([]);
    expect(await r2Keys(`files/${owner.id}/`)).toEqual([]);
    expect(await r2Keys(`filemeta/${owner.id}/`)).toEqual([]);
  });

  it('POST /v1/uploads/{id}/parts: a 400 and no part stored', async () => {
    const owner = await keyWithId();
    const up = await callJson<{ id: string }>('/v1/uploads', {
      method: 'POST',
      key: owner.key,
      json: { filename: 'big.bin', purpose: 'user_data', bytes: 100, mime_type: 'application/octet-stream' },
    });
    const bytes = formBytes(`--${B}\r\nContent-Disposition: form-data; name="data"; filename="blob"\r\n\r\n`, new Uint8Array(5000));
    const res = await postDirect(`/v1/uploads/${up.body.id}/parts`, {
      key: owner.key,
      body: breakingBody(bytes),
      contentLength: bytes.length + 50,
      headers: { 'content-type': FORM_TYPE },
    });
    expect(res.status).toBe(400);
    expect(expectEnvelope(await res.json()).message).toMatch(BROKEN);
    expect(await r2Keys(`uploads/${owner.id}/`)).toEqual([]);
  });
});

describe('request bodies refused early', () => {
  it('are read to their end and released (not cancelled, not left locked) so the connection can carry the next request', async () => {
    const rest = new Uint8Array(2 * 1024 * 1024);
    const forms: [string, Uint8Array][] = [
      [
        '/v1/files',
        formBytes(
          `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nfirst\r\n`,
          `--${B}\r\nContent-Disposition: form-data; name="file"; filename="b.txt"\r\n\r\n`,
          rest,
          `\r\n--${B}--\r\n`,
        ),
      ],
      ['/v1/files', formBytes(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a\u0001.txt"\r\n\r\n`, rest, `\r\n--${B}--\r\n`)],
    ];
    for (const [path, bytes] of forms) {
      const watched = watchedBody(bytes);
      const request = directRequest(path, { body: watched.body, headers: { 'content-type': FORM_TYPE } });
      const res = await sendDirect(request);
      expect(res.status).toBe(400);
      await res.body?.cancel();
      expect(watched.read()).toBe(bytes.length);
      expect(watched.cancelled()).toBe(false);
      expect(request.body!.locked).toBe(false);
    }
  });
});
