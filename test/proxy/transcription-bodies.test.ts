import { afterEach, describe, expect, it } from 'vitest';
import { makeWav } from '../helpers/audio';
import { B, FORM_TYPE, breakingBody, directRequest, formBytes, postDirect, sendDirect, watchedBody } from '../helpers/broken-body';
import { call, expectEnvelope, simDeployment } from '../helpers/gateway';
import { newKey } from '../helpers/keys';
import { routerSettings } from '../helpers/routing';

const PATH = '/v1/audio/transcriptions';
const BROKEN = /^The request body could not be read in full/;
const wav = makeWav(1);

const modelPart = (model: string) => `--${B}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n`;
const FILE_HEAD = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;

/** Where the client names the model: header (streamed as it comes), form before the file (known length), form after. */
type Where = 'header' | 'form-first' | 'form-last';

/** The form up to somewhere inside the audio, where a broken body stops. */
function cutForm(where: Where, model: string): Uint8Array {
  return formBytes(where === 'form-first' ? modelPart(model) : '', FILE_HEAD, wav.subarray(0, 20_000));
}

function whole(where: Where, model: string): Uint8Array {
  return formBytes(where === 'form-first' ? modelPart(model) : '', FILE_HEAD, wav, '\r\n', where === 'form-last' ? modelPart(model) : '', `--${B}--\r\n`);
}

const headers = (where: Where, model: string): Record<string, string> =>
  where === 'header' ? { 'content-type': FORM_TYPE, 'x-litellm-model': model } : { 'content-type': FORM_TYPE };

afterEach(async () => {
  await routerSettings({});
});

describe('transcription uploads that break off', () => {
  it('are a 400 wherever the model is named, for the master key and for a key', async () => {
    const { group } = await simDeployment({ served: 'whisper' });
    const k = await newKey();
    for (const key of [undefined, k.key]) {
      for (const where of ['header', 'form-first', 'form-last'] as const) {
        const bytes = cutForm(where, group);
        const res = await postDirect(PATH, { ...(key ? { key } : {}), body: breakingBody(bytes, 8192), contentLength: bytes.length + 50, headers: headers(where, group) });
        const label = `${key ? 'key' : 'master'} ${where}`;
        expect(res.status, label).toBe(400);
        const error = expectEnvelope(await res.json());
        expect(error.type, label).toBe('invalid_request_error');
        expect(error.message, label).toMatch(BROKEN);
      }
    }
  });

  it("are the client's failure, not the deployment's: it is not cooled down (a key's call or the master key's)", async () => {
    await routerSettings({ allowed_fails: 1, cooldown_time: 60, routing_strategy: 'least-busy', num_retries: 0 });
    const first = await simDeployment({ served: 'whisper' });
    await simDeployment({ served: 'whisper', group: first.group });
    const k = await newKey();
    // The least busy deployment is the group's first while it is not cooling down.
    for (const key of [k.key, undefined])
      for (const where of ['form-first', 'header'] as const) {
        const label = `${key ? 'key' : 'master'} ${where}`;
        const bytes = cutForm(where, first.group);
        const broken = await postDirect(PATH, { ...(key ? { key } : {}), body: breakingBody(bytes, 8192), contentLength: bytes.length + 50, headers: headers(where, first.group) });
        expect(broken.status, label).toBe(400);
        const ok = await call(PATH, { method: 'POST', ...(key ? { key } : {}), body: whole(where, first.group), headers: headers(where, first.group) });
        expect(ok.status, `${label} ${await ok.clone().text()}`).toBe(200);
        expect(ok.headers.get('x-litellm-model-id'), label).toBe(first.id);
      }
  });
});

describe('transcription uploads refused early', () => {
  it('are read to their end and released (not cancelled, not left locked) so the connection can carry the next request', async () => {
    const { group } = await simDeployment({ served: 'whisper' });
    const cases: [string, Uint8Array, Record<string, string>, number][] = [
      ['100 KB model field', formBytes(modelPart('m'.repeat(100_000)), FILE_HEAD, wav, `\r\n--${B}--\r\n`), headers('form-first', group), 400],
      ['26 MB before the model', formBytes(FILE_HEAD, new Uint8Array(26 * 1024 * 1024), '\r\n', modelPart(group), `--${B}--\r\n`), headers('form-last', group), 413],
      ['unknown model in the header', whole('header', 'no-such-group'), headers('header', 'no-such-group'), 404],
      ['malformed form, model in the header', formBytes(FILE_HEAD, wav), headers('header', group), 400],
    ];
    for (const [label, bytes, h, status] of cases) {
      const watched = watchedBody(bytes);
      const request = directRequest(PATH, { body: watched.body, headers: h });
      const res = await sendDirect(request);
      expect(res.status, label).toBe(status);
      await res.body?.cancel();
      expect(watched.read(), label).toBe(bytes.length);
      expect(watched.cancelled(), label).toBe(false);
      expect(request.body!.locked, label).toBe(false);
    }
  });
});
