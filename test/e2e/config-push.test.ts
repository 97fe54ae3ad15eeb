// `npm run config:push -- config.yaml`: a LiteLLM config file (full YAML: anchors, merge keys) pushed into the
// running gateway, after which the SDK can use its model groups; a bad file changes nothing.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { spawnSim, type SimHandle } from '../helpers/sim';
import { admin, gatewayUrl, masterKey, sdk, unique } from './helpers/gateway';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gateway-config-push-'));
let sim: SimHandle | undefined;

afterAll(async () => {
  await sim?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function push(yaml: string): Promise<{ code: number; out: string }> {
  const file = join(dir, `${unique('config')}.yaml`);
  writeFileSync(file, yaml);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/config-push.ts', file, '--url', gatewayUrl()], {
      cwd: ROOT,
      env: { ...process.env, MASTER_KEY: masterKey() },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run config:push', () => {
  it('imports a config.yaml with anchors into the running gateway; the SDK can use it at once', { timeout: 60_000 }, async () => {
    sim = await spawnSim(inject('simUrl'), { models: ['pushed-model'] });
    const group = unique('pushed');
    const { code, out } = await push(`
common: &common
  model: hosted_vllm/pushed-model
  api_base: ${sim.url}
  timeout: 30
model_list:
  - model_name: ${group}
    litellm_params:
      <<: *common
      weight: 2
    model_info: { id: ${group}-a }
`);
    expect(out).toContain(`✓ ${group} (id ${group}-a)`);
    expect(code).toBe(0);
    const answer = await sdk().chat.completions.create({ model: group, messages: [{ role: 'user', content: 'pushed from yaml' }] });
    expect(answer.choices[0]!.message.content).toBe('pushed from yaml');
  });

  it('refuses a bad entry by name and imports nothing of the file', { timeout: 60_000 }, async () => {
    const good = unique('never');
    const { code, out } = await push(`
model_list:
  - model_name: ${good}
    litellm_params: { model: hosted_vllm/x, api_base: http://127.0.0.1:9 }
  - model_name: broken
    litellm_params: { model: bedrock/claude-v2 }
`);
    expect(code).toBe(1);
    expect(out).toMatch(/import refused \(HTTP 400\).*model_list\[1\]/s);
    const info = await admin<{ data: { model_name: string }[] }>('/model/info');
    expect(info.data.map((d) => d.model_name)).not.toContain(good);
  });

  it('inlines include: files (relative to the config file) as LiteLLM does: their model_list entries are added', { timeout: 60_000 }, async () => {
    sim ??= await spawnSim(inject('simUrl'), { models: ['pushed-model'] });
    const [top, included] = [unique('top'), unique('included')];
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models', 'more.yaml'), `model_list:\n  - model_name: ${included}\n    litellm_params: { model: hosted_vllm/pushed-model, api_base: ${sim.url} }\n`);
    const { code, out } = await push(`
include:
  - models/more.yaml
model_list:
  - model_name: ${top}
    litellm_params: { model: hosted_vllm/pushed-model, api_base: ${sim.url} }
`);
    expect(out).toContain(`✓ ${top}`);
    expect(out).toContain(`✓ ${included}`);
    expect(code).toBe(0);
    const answer = await sdk().chat.completions.create({ model: included, messages: [{ role: 'user', content: 'included' }] });
    expect(answer.choices[0]!.message.content).toBe('included');
  });
});
