// The README's first command: `npm start` on a fresh checkout gives a gateway with a demo deployment on the
// bundled simulator and prints a key that works with the openai SDK. Run in a scratch copy of the project (its
// files linked, not copied) so the .dev.vars and .wrangler/ it creates never touch this checkout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isListening, sleep } from './helpers/wrangler';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LINKED = ['src', 'scripts', 'node_modules', 'package.json', 'wrangler.toml', 'tsconfig.json'];

let child: ChildProcess | undefined;
let scratch: string | undefined;
let port: number | undefined;

afterAll(async () => {
  // start.ts stops its wrangler (its own process group) on SIGTERM, then exits.
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
  }
  if (port !== undefined) for (let i = 0; i < 100 && (await isListening(port)); i++) await sleep(100);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 30_000);

describe('npm start', () => {
  it('starts the gateway and the simulator, seeds `demo`, and prints a key the SDK can use', { timeout: 120_000 }, async () => {
    scratch = mkdtempSync(join(tmpdir(), 'gateway-start-'));
    for (const name of LINKED) symlinkSync(join(ROOT, name), join(scratch, name));
    // The simulator is imported from test/sim; nothing else of test/ is needed.
    mkdirSync(join(scratch, 'test'));
    symlinkSync(join(ROOT, 'test/sim'), join(scratch, 'test/sim'));
    port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SIM_PORT: String(await freePort()), CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
    delete env.HOSTED_VLLM_API_BASE;
    delete env.HOSTED_VLLM_API_KEY;
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    const deadline = Date.now() + 100_000;
    let demoKey: string | undefined;
    while (!demoKey) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`npm start printed no demo key:\n${output.slice(-4000)}`);
      demoKey = /Demo key:\s+(sk-\S+)/.exec(output)?.[1];
      await sleep(200);
    }
    expect(output).toContain(`curl http://localhost:${port}/v1/chat/completions`);
    expect(output).toContain(`baseURL: 'http://localhost:${port}/v1'`);
    const masterKey = /MASTER_KEY=(\S+)/.exec(readFileSync(join(scratch, '.dev.vars'), 'utf8'))?.[1];
    expect(masterKey).toMatch(/^sk-master-/);
    expect(output).not.toContain(masterKey!);

    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: demoKey, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello from the edge' }] });
    expect(answer.choices[0]!.message.content).toBe('Hello from the edge');
    expect((await client.models.list()).data.map((m) => m.id)).toContain('demo');
  });
});
