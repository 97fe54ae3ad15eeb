// `npm start`: a working gateway on http://localhost:8787 with embedded local storage (.wrangler/state).
// Without HOSTED_VLLM_API_BASE it also runs the bundled vLLM simulator; with it, your vLLM server is used.
import { spawn, type ChildProcess } from 'node:child_process';
import { startSimHub, type SimHub } from '../test/sim/index';
import { AdminClient, waitUntilLive } from './gateway-client';
import { DEV_VARS, ensureMasterKey, writePrivate } from './local-env';
import { printWelcome } from './welcome';
import { firstServedModel, seedDemo } from './seed-demo';

const PORT = Number(process.env.PORT ?? 8787);
const SIM_PORT = Number(process.env.SIM_PORT ?? 8000);
const START_ENV = '.wrangler/start.env';

async function startSimulator(): Promise<SimHub> {
  const config = { models: ['demo-model'], chunkDelayMs: 15 };
  try {
    return await startSimHub({ port: SIM_PORT, host: '127.0.0.1', config });
  } catch {
    // Port 8000 taken (perhaps by a real vLLM): any free port will do.
    return startSimHub({ port: 0, host: '127.0.0.1', config });
  }
}

async function main(): Promise<void> {
  const masterKey = ensureMasterKey();
  const realBase = process.env.HOSTED_VLLM_API_BASE;
  const upstreamKey = process.env.HOSTED_VLLM_API_KEY;
  const sim = realBase ? undefined : await startSimulator();
  const base = realBase ?? sim!.url;

  // Upstream settings go through an env file rather than --var, so an upstream key never shows in `ps`.
  writePrivate(START_ENV, `HOSTED_VLLM_API_BASE=${base}\n${upstreamKey ? `HOSTED_VLLM_API_KEY=${upstreamKey}\n` : ''}`);
  const wrangler: ChildProcess = spawn(
    'npx',
    ['wrangler', 'dev', '--port', String(PORT), '--ip', '127.0.0.1', '--env-file', DEV_VARS, '--env-file', START_ENV, '--show-interactive-dev-session=false'],
    { stdio: 'inherit', detached: true, env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env } },
  );
  let exited = false;
  wrangler.on('exit', (code) => {
    exited = true;
    void sim?.close();
    process.exit(code ?? 0);
  });
  const stop = (): void => {
    if (!exited && wrangler.pid) process.kill(-wrangler.pid, 'SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const url = `http://localhost:${PORT}`;
  await waitUntilLive(`http://127.0.0.1:${PORT}`, 90_000, () => !exited);
  const served = sim ? 'demo-model' : (process.env.DEMO_MODEL ?? (await firstServedModel(base, upstreamKey)));
  const demoKey = await seedDemo(new AdminClient(`http://127.0.0.1:${PORT}`, masterKey), served);
  printWelcome({ url, demoKey, upstream: sim ? `the bundled vLLM simulator at ${sim.url}` : `${base} (model ${served})` });
}

main().catch((err: unknown) => {
  console.error(`\nnpm start failed: ${(err as Error).message}`);
  process.exit(1);
});
