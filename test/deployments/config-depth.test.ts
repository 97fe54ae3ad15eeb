// Deeply nested YAML once overflowed the config parser's recursion (a 500); it is refused with the limit and line.
import { describe, expect, it } from 'vitest';
import { callJson, expectEnvelope, unique } from '../helpers/gateway';
import { UiSession } from '../helpers/ui';

const YAML = { 'content-type': 'application/yaml' };

async function importYaml(body: string): Promise<{ status: number; message: string }> {
  const res = await callJson('/config/import', { method: 'POST', body, headers: YAML });
  return { status: res.status, message: res.status === 200 ? '' : expectEnvelope(res.body).message };
}

function indentedKeys(levels: number): string {
  let out = '';
  for (let i = 0; i < levels; i++) out += `${' '.repeat(i)}a:\n`;
  return out;
}

function indentedDashes(levels: number): string {
  let out = 'a:\n';
  for (let i = 0; i < levels; i++) out += `${' '.repeat(i)}-\n`;
  return out;
}

describe('POST /config/import refuses YAML nested more than 64 levels deep', () => {
  it('flow, indented mappings, indented and inline sequences: 400 naming the limit and the line; 64 levels import', async () => {
    const cases: [string, string, number][] = [
      ['flow mappings', '{a: '.repeat(5000) + '1' + '}'.repeat(5000), 1],
      ['flow sequences', `model_list: ${'['.repeat(5000)}x${']'.repeat(5000)}`, 1],
      ['indented keys', indentedKeys(5000), 65],
      ['indented dashes', indentedDashes(5000), 65],
      ['inline dashes', `a:\n${'- '.repeat(20000)}x`, 2],
      // Flow nesting adds to the block nesting around it.
      ['block then flow', `${indentedKeys(40)}${' '.repeat(40)}b: ${'['.repeat(30)}${']'.repeat(30)}`, 41],
    ];
    for (const [label, body, line] of cases) {
      const { status, message } = await importYaml(body);
      expect(status, label).toBe(400);
      expect(message, label).toBe(
        `config is not valid YAML (or uses YAML this endpoint does not read): line ${line}: YAML nested more than 64 levels deep`,
      );
    }

    // A config nested to the limit still imports.
    const group = unique('deep-ok');
    // The document is level 1; the ignored section's 61 `a:` mappings, one `b:` mapping and its [1] make 64.
    const nested = indentedKeys(61).replace(/^/gm, '  ').trimEnd();
    const config = `model_list:\n  - model_name: ${group}\n    litellm_params: {model: hosted_vllm/sim-model}\nlitellm_settings:\n${nested}\n${' '.repeat(63)}b: [1]\n`;
    const res = await callJson<{ imported: unknown[] }>('/config/import', { method: 'POST', body: config, headers: YAML });
    expect(res.status).toBe(200);
    expect(res.body.imported).toHaveLength(1);
  });

  it('the dashboard import shows the same message on its page', async () => {
    const { session } = await UiSession.signIn();
    const res = await session.post('/ui/deployments/import', { config: '{a: '.repeat(5000) + '1' + '}'.repeat(5000) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('line 1: YAML nested more than 64 levels deep');
  });
});
