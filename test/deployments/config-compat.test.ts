// Real LiteLLM config.yaml files: what the gateway cannot apply is refused by name (never imported as nothing), and
// what LiteLLM's Router reads from other places is applied the same way.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callJson, expectEnvelope, unique } from '../helpers/gateway';
import { importLitellmConfig, importOptions, parseConfigText } from '../../src/deployments/litellm-config';
import { GatewayError } from '../../src/http/errors';

const YAML = { 'content-type': 'application/yaml' };

async function importYaml(body: string, query = ''): Promise<{ status: number; message: string; body: Record<string, unknown> }> {
  const res = await callJson<Record<string, unknown>>(`/config/import${query}`, { method: 'POST', body, headers: YAML });
  return { status: res.status, message: res.status === 200 ? '' : expectEnvelope(res.body).message, body: res.body };
}

const entry = (group: string, params = '{ model: hosted_vllm/sim-model }') => `  - model_name: ${group}\n    litellm_params: ${params}\n`;

async function refusal(yaml: string): Promise<string> {
  try {
    await importLitellmConfig(parseConfigText(yaml));
  } catch (err) {
    if (err instanceof GatewayError) return err.message;
    throw err;
  }
  throw new Error('imported');
}

async function groupSize(group: string): Promise<number> {
  const info = await callJson<{ data: { model_name: string }[] }>('/model/info');
  return info.body.data.filter((d) => d.model_name === group).length;
}

describe('config import: top-level keys', () => {
  it('refuses a misspelled section, include and credential_list by name, and imports nothing', async () => {
    const group = unique('typo');
    const cases: [string, RegExp][] = [
      [`model_lsit:\n${entry(group)}`, /unknown top-level key "model_lsit"/],
      [`include:\n  - models.yaml\nmodel_list:\n${entry(group)}`, /include: .*npm run config:push/],
      [`model_list:\n${entry(group)}credential_list:\n  - credential_name: c\n`, /credential_list is not supported/],
    ];
    for (const [yaml, message] of cases) {
      const res = await importYaml(yaml);
      expect(res.status, yaml).toBe(400);
      expect(res.message, yaml).toMatch(message);
    }
    expect(await groupSize(group)).toBe(0);
  });

  it('refuses replace=true without a model_list instead of emptying the routing table', async () => {
    const group = unique('kept');
    expect((await importYaml(`model_list:\n${entry(group)}`)).status).toBe(200);
    const res = await importYaml('litellm_settings:\n  drop_params: true\n', '?replace=true');
    expect(res.status).toBe(400);
    expect(res.message).toMatch(/replace=true needs a model_list/);
    expect(await groupSize(group)).toBe(1);
  });
});

describe('config import: deployments that could never serve', () => {
  it('refuses wildcard deployments', async () => {
    const cases: [string, RegExp][] = [
      [`model_list:\n${entry('"*"')}`, /model_name: wildcard deployments are not supported/],
      [`model_list:\n${entry(unique('w'), '{ model: "hosted_vllm/*" }')}`, /litellm_params\.model: wildcard deployments are not supported/],
      [`model_list:\n${entry(unique('w'), '{ model: "openai/*", api_base: "http://127.0.0.1:9" }')}`, /wildcard deployments are not supported/],
    ];
    for (const [yaml, message] of cases) {
      const res = await importYaml(yaml);
      expect(res.status, yaml).toBe(400);
      expect(res.message, yaml).toMatch(message);
    }
  });

  it('refuses openai/ without api_base (only hosted_vllm/ defaults to HOSTED_VLLM_API_BASE)', async () => {
    const res = await importYaml(`model_list:\n${entry(unique('o'), '{ model: openai/gpt-x }')}`);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(/model_list\[0\].*litellm_params\.api_base: is required for an "openai\/" model/);
  });
});

describe('config import: router settings', () => {
  it('reads LiteLLM router keys from litellm_settings; router_settings wins; default_fallbacks is a "*" fallback', async () => {
    const imported = await importLitellmConfig(
      parseConfigText(`model_list: []
litellm_settings:
  drop_params: true
  num_retries: 4
  request_timeout: 90
  allowed_fails: 2
  fallbacks: [{ a: [b] }]
  context_window_fallbacks: [{ a: [a-long] }]
  default_fallbacks: [c]
router_settings:
  num_retries: 1
`),
    );
    expect(imported.routerSettings).toEqual({
      num_retries: 1,
      timeout: 90,
      allowed_fails: 2,
      fallbacks: [{ a: ['b'] }, { '*': ['c'] }],
      context_window_fallbacks: [{ a: ['a-long'] }],
    });
    expect(imported.ignored).toEqual(['litellm_settings.drop_params']);
    expect(await refusal('model_list: []\nlitellm_settings:\n  request_timeout: -1\n')).toMatch(/^litellm_settings\.request_timeout: /);
    // Only harmless keys: nothing is applied and the section is reported as ignored.
    const harmless = await importLitellmConfig(parseConfigText('model_list: []\nlitellm_settings:\n  set_verbose: true\n  callbacks: [x]\n'));
    expect(harmless.routerSettings).toBeUndefined();
    expect(harmless.ignored).toEqual(['litellm_settings']);
  });

  it('takes default_fallbacks from router_settings too (before litellm_settings), as a "*" fallback', async () => {
    const imported = await importLitellmConfig(
      parseConfigText('model_list: []\nrouter_settings:\n  fallbacks: [{ a: [b] }]\n  default_fallbacks: [c]\nlitellm_settings:\n  default_fallbacks: [d]\n'),
    );
    expect(imported.routerSettings).toEqual({ fallbacks: [{ a: ['b'] }, { '*': ['c'] }] });
    expect(await refusal('model_list: []\nrouter_settings:\n  default_fallbacks: 3\n')).toMatch(/^router_settings\.default_fallbacks/);
  });

  it('accepts empty (null) sections and ignores redis settings, saying so', async () => {
    const imported = await importLitellmConfig(
      parseConfigText('model_list:\nrouter_settings:\n  # routing_strategy: least-busy\nlitellm_settings:\n'),
    );
    expect(imported.routerSettings).toEqual({});
    const redis = await importLitellmConfig(
      parseConfigText('model_list: []\nrouter_settings:\n  redis_host: r\n  redis_password: p\n  redis_port: 6379\n  cooldown_time: 3\n'),
    );
    expect(redis.routerSettings).toEqual({ cooldown_time: 3 });
    expect(redis.ignored).toEqual(['router_settings.redis_host', 'router_settings.redis_password', 'router_settings.redis_port']);
  });

  it('replace=true makes the file the only source of router settings (none: the defaults)', async () => {
    // A ConfigStore of its own: replacing the shared routing table would pull deployments from under other tests.
    const store = env.CONFIG.get(env.CONFIG.idFromName(unique('compat-store')));
    await store.upsert([], { routerSettings: { num_retries: 5 } });
    const file = await importLitellmConfig(parseConfigText('model_list: []\n'));
    expect((await store.upsert(file.deployments, importOptions(file, false))).router_settings).toEqual({ num_retries: 5 });
    expect((await store.upsert(file.deployments, importOptions(file, true))).router_settings).toEqual({});
  });
});

describe('config import: entries', () => {
  it('gives five identical entries five ids and keeps all of them; re-importing keeps the same ids', async () => {
    const group = unique('same');
    const yaml = `model_list:\n${entry(group).repeat(5)}`;
    const first = await importYaml(yaml);
    expect(first.status).toBe(200);
    const ids = (first.body.imported as { model_info: { id: string } }[]).map((d) => d.model_info.id);
    expect(new Set(ids).size).toBe(5);
    expect(await groupSize(group)).toBe(5);
    const again = await importYaml(yaml);
    expect((again.body.imported as { model_info: { id: string } }[]).map((d) => d.model_info.id)).toEqual(ids);
    expect(await groupSize(group)).toBe(5);
  });

  it('accepts an empty (null) model_info', async () => {
    const group = unique('null-info');
    const res = await importYaml(`model_list:\n${entry(group)}    model_info:\n      # id: x\n`);
    expect(res.status).toBe(200);
    expect(await groupSize(group)).toBe(1);
  });
});

describe('config import: descriptive model_info', () => {
  it('stores LiteLLM capability metadata and shows it in /model/info (a literal tokenizer token redacted)', async () => {
    const group = unique('meta');
    const res = await importYaml(`model_list:
${entry(group)}    model_info:
      version: 2
      supports_function_calling: true
      supports_vision: false
      litellm_provider: hosted_vllm
      custom_tokenizer: { identifier: org/tok, revision: main, auth_token: hf_literal_secret }
`);
    expect(res.status).toBe(200);
    const info = await callJson<{ data: { model_name: string; model_info: Record<string, unknown> }[] }>('/model/info');
    const mine = info.body.data.find((d) => d.model_name === group)!;
    expect(mine.model_info).toMatchObject({
      version: 2,
      supports_function_calling: true,
      supports_vision: false,
      litellm_provider: 'hosted_vllm',
      custom_tokenizer: { identifier: 'org/tok', revision: 'main', auth_token: '[redacted]' },
    });
    expect(JSON.stringify(info.body)).not.toContain('hf_literal_secret');
    // Keys that change what LiteLLM does are still refused.
    const refused = await importYaml(`model_list:\n${entry(unique('acl'))}    model_info: { access_groups: [a] }\n`);
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/model_info\.access_groups: unknown field/);
  });
});
