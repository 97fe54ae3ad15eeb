// Dashboard form bodies are bounded while they are read, sign-in included (it needs no session), and a form that
// cannot be parsed is a 400 page rather than a 500.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callJson, MASTER_KEY, unique } from '../helpers/gateway';
import { UiSession } from '../helpers/ui';

const LOGIN_LIMIT = 64 * 1024;
const FORM_LIMIT = 1024 * 1024;
const CHUNK = 64 * 1024;

/** A chunked body (no Content-Length) of `prefix` then filler, produced on demand; `pulled` counts bytes handed out. */
function endless(prefix: string, total: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const head = new TextEncoder().encode(prefix);
  const filler = new TextEncoder().encode('a'.repeat(CHUNK));
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const chunk = sent === 0 ? head : filler;
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => sent };
}

function post(path: string, body: BodyInit, headers: Record<string, string>, cookie = ''): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://gateway.test${path}`, { method: 'POST', body, headers: { cookie, ...headers }, redirect: 'manual' }),
  );
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /ui/login reads a bounded body', () => {
  it('413 for a chunked body past the limit, having read little more than the limit', async () => {
    const { body, pulled } = endless(`next=%2Fui%2Fkeys&master_key=${MASTER_KEY}&pad=`, 90 * 1024 * 1024);
    const res = await post('/ui/login', body, FORM);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('The form is larger than 64 KiB');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(pulled()).toBeLessThanOrEqual(LOGIN_LIMIT + 2 * CHUNK);
  });

  it('413 for a declared length past the limit; a form within it still signs in', async () => {
    const big = new URLSearchParams({ master_key: MASTER_KEY, pad: 'a'.repeat(LOGIN_LIMIT) });
    const res = await post('/ui/login', big.toString(), FORM);
    expect(res.status).toBe(413);
    expect(res.headers.get('set-cookie')).toBeNull();
    const ok = await post('/ui/login', new URLSearchParams({ master_key: MASTER_KEY, next: '/ui/usage' }).toString(), FORM);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ui/usage');
  });

  it('multipart/form-data without a boundary is a 400 sign-in page; a well-formed multipart form signs in', async () => {
    const res = await post('/ui/login', `master_key=${MASTER_KEY}`, { 'content-type': 'multipart/form-data' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('not valid multipart/form-data');
    expect(html).toContain('action="/ui/login"');
    expect(html).not.toContain(MASTER_KEY);
    const form = new FormData();
    form.set('master_key', MASTER_KEY);
    form.set('next', '/ui/batches');
    const ok = await post('/ui/login', form, {});
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ui/batches');
  });
});

describe('signed-in dashboard forms read a bounded body', () => {
  it('413 for a chunked or declared body past 1 MiB (nothing is created); 400 for unparsable multipart', async () => {
    const { session } = await UiSession.signIn();
    const csrf = await session.csrf();
    const alias = unique('too-big');
    const { body, pulled } = endless(`_csrf=${csrf}&key_alias=${alias}&pad=`, 16 * 1024 * 1024);
    const chunked = await post('/ui/keys', body, FORM, session.cookie);
    expect(chunked.status).toBe(413);
    expect(await chunked.text()).toContain('The form is larger than 1 MiB');
    expect(pulled()).toBeLessThanOrEqual(FORM_LIMIT + 2 * CHUNK);

    const declared = new URLSearchParams({ _csrf: csrf, key_alias: alias, pad: 'a'.repeat(FORM_LIMIT) }).toString();
    expect((await post('/ui/keys', declared, FORM, session.cookie)).status).toBe(413);
    expect((await callJson(`/key/list?key_alias=${alias}`)).body).toMatchObject({ keys: [] });

    const broken = await post('/ui/keys', `_csrf=${csrf}`, { 'content-type': 'multipart/form-data' }, session.cookie);
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('not valid multipart/form-data');
  });
});
