import { describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { call, callJson, expectEnvelope, MASTER_KEY, simDeployment } from '../helpers/gateway';
import { batchLine, jsonl, keyWithId, r2Keys, uploadFile } from '../helpers/files';
import { waitForBatch } from '../helpers/batches';
import { sdk } from '../helpers/sdk';
import { decodeId } from '../../src/files/ids';

/** A batch line whose body names `model` (batchLine's own body names "ignored"). */
const lineFor = (customId: string, model: string | undefined): string =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { ...(model ? { model } : {}), messages: [{ role: 'user', content: 'hi there' }], max_tokens: 4 } });

describe('POST /v1/files: where the model comes from', () => {
  it('takes the form field `model` (LiteLLM extra_body), raw and through the openai SDK', async () => {
    const { group } = await simDeployment();
    const content = jsonl([batchLine('a'), batchLine('b')]);
    const raw = await uploadFile(content, { purpose: 'batch', model: group, via: 'model-field' });
    expect(raw.status).toBe(200);
    expect(decodeId('file', raw.body.id)?.model).toBe(group);
    expect(await (await call(`/v1/files/${raw.body.id}/content`)).text()).toBe(content);

    // The SDK sends fields it does not know (here `model`) as form fields, like extra_body in Python.
    const params = { file: await toFile(new TextEncoder().encode(content), 'sdk.jsonl'), purpose: 'batch' as const, model: group };
    const viaSdk = await sdk(MASTER_KEY).files.create(params);
    expect(decodeId('file', viaSdk.id)?.model).toBe(group);
  });

  it('keeps the precedence: header, ?model=, target_model_names, then the `model` field', async () => {
    const { group } = await simDeployment();
    const content = jsonl([batchLine('a')]);
    const both = await uploadFile(content, { purpose: 'batch', model: group, via: 'form', fields: { model: 'not-a-group' } });
    expect(both.status).toBe(200);
    expect(decodeId('file', both.body.id)?.model).toBe(group);
    const header = await uploadFile(content, { purpose: 'batch', model: group, via: 'header', fields: { model: 'not-a-group' } });
    expect(decodeId('file', header.body.id)?.model).toBe(group);
  });

  it('checks the `model` field like the other ways of naming a model (404 unknown, 403 not allowed), keeping nothing', async () => {
    const { group } = await simDeployment();
    const restricted = await keyWithId({ models: ['some-other-group'] });
    const content = jsonl([batchLine('a')]);
    expect((await uploadFile(content, { purpose: 'batch', model: 'no-such-group', via: 'model-field' })).status).toBe(404);
    const denied = await uploadFile(content, { key: restricted.key, purpose: 'batch', model: group, via: 'model-field' });
    expect(denied.status).toBe(403);
    expect(await r2Keys(`files/${restricted.id}/`)).toEqual([]);
  });

  it("OpenAI's quick-start (no model named) uses the body.model every line names, and the batch runs", async () => {
    const { group } = await simDeployment();
    const owner = await keyWithId({ models: [group] });
    const client = sdk(owner.key);
    const content = jsonl([lineFor('q1', group), lineFor('q2', group)]);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(content), 'quick.jsonl'), purpose: 'batch' });
    expect(decodeId('file', file.id)?.model).toBe(group);
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await waitForBatch(batch.id, owner.key);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
  });

  it('refuses a file with no model named whose lines disagree, lack one, or name a model that is unknown or not allowed: 400 naming model', async () => {
    const { group } = await simDeployment();
    const { group: other } = await simDeployment();
    const owner = await keyWithId({ models: [group] });
    const cases: [string, RegExp][] = [
      [jsonl([lineFor('a', group), lineFor('b', group), lineFor('c', other)]), new RegExp(`line 3 names body.model "${other}" but line 1 names "${group}"`)],
      [jsonl([lineFor('a', group), lineFor('b', undefined)]), /line 2 has no body.model/],
      [jsonl([lineFor('a', 'no-such-group'), lineFor('b', 'no-such-group')]), /every line names body.model "no-such-group", but no such model exists/],
      [jsonl([lineFor('a', other)]), new RegExp(`every line names body.model "${other}", but this key is not allowed to use model \`${other}\``)],
    ];
    for (const [content, message] of cases) {
      const { status, body } = await uploadFile(content, { key: owner.key, purpose: 'batch' });
      expect(status, content.slice(0, 80)).toBe(400);
      const error = expectEnvelope(body);
      expect(error.param).toBe('model');
      expect(error.message).toMatch(message);
    }
    expect((await callJson<{ data: unknown[] }>('/v1/files', { key: owner.key })).body.data).toEqual([]);
    expect(await r2Keys(`files/${owner.id}/`)).toEqual([]);
  });

  it('a named model wins over the lines, and a non-batch file never takes one from its content', async () => {
    const { group } = await simDeployment();
    const { group: named } = await simDeployment();
    const content = jsonl([lineFor('a', group)]);
    const file = await uploadFile(content, { purpose: 'batch', model: named, via: 'model-field' });
    expect(decodeId('file', file.body.id)?.model).toBe(named);
    const doc = await uploadFile(content, { purpose: 'user_data' });
    expect(doc.status).toBe(200);
    expect(decodeId('file', doc.body.id)?.model).toBe('');
  });
});
