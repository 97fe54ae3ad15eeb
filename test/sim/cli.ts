// `npm run sim -- --port 8000 --model demo-model [--model other] [--api-key KEY] [--latency-ms N]
//  [--chunk-delay-ms N] [--host 127.0.0.1]`: a standalone simulated vLLM server (plus the hub routes).
import { parseArgs } from 'node:util';
import { startSimHub } from './hub';
import type { SimConfigPatch } from './types';

function intOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      model: { type: 'string', multiple: true },
      'api-key': { type: 'string' },
      'latency-ms': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
    },
    strict: true,
  });
  const config: SimConfigPatch = { models: values.model ?? ['sim-model'] };
  if (values['api-key'] !== undefined) config.apiKey = values['api-key'];
  const latencyMs = intOption('latency-ms', values['latency-ms']);
  const chunkDelayMs = intOption('chunk-delay-ms', values['chunk-delay-ms']);
  if (latencyMs !== undefined) config.latencyMs = latencyMs;
  if (chunkDelayMs !== undefined) config.chunkDelayMs = chunkDelayMs;

  const hub = await startSimHub({ port: intOption('port', values.port) ?? 8000, host: values.host, config });
  console.log(`vLLM simulator listening on ${hub.url} (models: ${hub.instance.config.models.join(', ')})`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`vLLM simulator: ${signal}, shutting down`);
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`vLLM simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
