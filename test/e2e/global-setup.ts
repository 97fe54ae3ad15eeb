// Starts the vLLM simulator hub and ONE `wrangler dev` of the gateway for every e2e file, as a user would run it:
// real HTTP, local KV / Durable Objects persisted in a throwaway directory, offline.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startSimHub } from '../sim/index';
import { freePort, startWrangler } from './helpers/wrangler';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hub = await startSimHub();
  const persist = await mkdtemp(join(tmpdir(), 'gateway-e2e-'));
  const masterKey = `sk-e2e-master-${randomBytes(16).toString('hex')}`;
  const [port, inspectorPort] = [await freePort(), await freePort()];

  const wrangler = await startWrangler({
    port,
    inspectorPort,
    persist,
    vars: { MASTER_KEY: masterKey, HOSTED_VLLM_API_BASE: hub.url },
    redact: [masterKey],
  }).catch(async (err: unknown) => {
    await hub.close();
    await rm(persist, { recursive: true, force: true });
    throw err;
  });
  project.provide('simUrl', hub.url);
  project.provide('gatewayUrl', wrangler.url);
  project.provide('masterKey', masterKey);
  return async () => {
    await wrangler.stop();
    await hub.close();
    await rm(persist, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    simUrl: string;
    gatewayUrl: string;
    masterKey: string;
  }
}
