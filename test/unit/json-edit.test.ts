import { describe, expect, it } from 'vitest';
import { editTopLevel } from '../../src/http/json-edit';

describe('editTopLevel', () => {
  it('replaces only the edited member and keeps every other byte', () => {
    const text = '{ "model" : "group-a", "temperature": 1.0, "seed": 12345678901234567890, "x": "m\\"odel" }';
    expect(editTopLevel(text, { model: 'served' })).toBe(
      '{ "model" : "served", "temperature": 1.0, "seed": 12345678901234567890, "x": "m\\"odel" }',
    );
  });

  it('ignores keys of the same name nested deeper', () => {
    const text = '{"messages":[{"model":"inner","content":"{\\"model\\":1}"}],"model":"outer"}';
    const out = JSON.parse(editTopLevel(text, { model: 'new' })) as Record<string, unknown>;
    expect(out.model).toBe('new');
    expect(out.messages).toEqual([{ model: 'inner', content: '{"model":1}' }]);
  });

  it('matches a key written with escapes by what it means, and ends numbers and literals at whitespace', () => {
    const text = '{"mo\\u0064el":"group-a","n":2\n,"stream":true\t}';
    expect(JSON.parse(text)).toEqual({ model: 'group-a', n: 2, stream: true });
    expect(editTopLevel(text, { model: 'served', n: 3 })).toBe('{"mo\\u0064el":"served","n":3\n,"stream":true\t}');
  });

  it('adds missing members and removes members in any position', () => {
    expect(editTopLevel('{"a":1,"b":2,"c":3}', { a: undefined })).toBe('{"b":2,"c":3}');
    expect(editTopLevel('{"a":1,"b":2,"c":3}', { b: undefined })).toBe('{"a":1,"c":3}');
    expect(editTopLevel('{"a":1,"b":2,"c":3}', { c: undefined })).toBe('{"a":1,"b":2}');
    expect(editTopLevel('{"a":1,"b":2}', { a: undefined, b: undefined, z: true })).toBe('{"z":true}');
    expect(editTopLevel('{}', { z: 1 })).toBe('{"z":1}');
    expect(editTopLevel('{"a":[1,{"b":"}"}]}', { n: null })).toBe('{"a":[1,{"b":"}"}],"n":null}');
  });

  it('produces valid JSON for every combination on a realistic body', () => {
    const body = { model: 'g', messages: [{ role: 'user', content: 'hi "there" \\ {' }], stream: true, thinking: { budget_tokens: 3 } };
    const text = JSON.stringify(body, null, 2);
    const out = JSON.parse(editTopLevel(text, { model: 's', thinking: undefined, reasoning_effort: 'low' })) as Record<string, unknown>;
    expect(out).toEqual({ model: 's', messages: body.messages, stream: true, reasoning_effort: 'low' });
  });
});

describe('usageOf', () => {
  it('finds the top-level usage at the end without parsing the answer, and nothing where there is none', async () => {
    const { usageOf } = await import('../../src/proxy/json-response');
    const embedding = JSON.stringify({ data: [{ embedding: Array.from({ length: 1000 }, (_, i) => i / 7) }], usage: { prompt_tokens: 5, total_tokens: 5 } });
    expect(usageOf(embedding)).toEqual({ prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 });
    const chat = '{"choices":[{"message":{"content":"the \\"usage\\": {\\"prompt_tokens\\": 99}"}}],"usage" : {"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},"prompt_logprobs":null}';
    expect(usageOf(chat)).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(usageOf('{"usage": null, "x": {"a": 1}}')).toBeUndefined();
    expect(usageOf('{"choices": []}')).toBeUndefined();
    expect(usageOf('{"text":"hi","usage":{"type":"duration","seconds":3}}')).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, seconds: 3 });
  });
});

describe('editTopLevel on repeated keys', () => {
  it('leaves no second copy of an edited key, wherever the copies are and however they are spelt', () => {
    // JSON.parse (the gateway's validation) and vLLM's parser both take the last copy: it must not reach vLLM.
    const twice = '{"model":"a","messages":[],"model":"b"}';
    expect(JSON.parse(editTopLevel(twice, { model: 'served' }))).toEqual({ model: 'served', messages: [] });
    expect(editTopLevel(twice, { model: 'served' })).toBe('{"model":"served","messages":[]}');
    const escaped = '{"model":"a","stream":false,"mo\\u0064el":"b"}';
    expect(JSON.parse(editTopLevel(escaped, { model: 'served' }))).toEqual({ model: 'served', stream: false });
    const removed = '{"thinking":1,"model":"a","thinking":{"budget_tokens":5}}';
    expect(JSON.parse(editTopLevel(removed, { model: 's', thinking: undefined }))).toEqual({ model: 's' });
  });

  it('keeps everything after the edited member byte for byte, mentions of the key inside it included', () => {
    const rest = ',"messages":[{"role":"user","content":"say \\"model\\" twice: model"}],"temperature":1.0}';
    const text = `{"model":"a"${rest}`;
    expect(editTopLevel(text, { model: 'served' })).toBe(`{"model":"served"${rest}`);
    // Text after the member that merely mentions the key (inside a string) is not a member and stays as it is.
    const mention = '{"model":"a","messages":[{"role":"user","content":"\\"model\\""}],"x":{"model":1}}';
    expect(JSON.parse(editTopLevel(mention, { model: 's' }))).toEqual({ model: 's', messages: [{ role: 'user', content: '"model"' }], x: { model: 1 } });
  });
});
