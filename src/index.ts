import { buildApp } from './app';
import type { Bindings } from './env';

export { ConfigStore } from './deployments/config-store';
export { KeyLedger } from './keys/key-ledger';
export { BatchRunner } from './batches/batch-runner';
export { BatchLane } from './batches/batch-lane';

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
