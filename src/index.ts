import { buildApp } from './app';
import type { Bindings } from './env';
import { directRoute } from './routes/direct';

export { ConfigStore } from './deployments/config-store';
export { KeyLedger } from './keys/key-ledger';
export { BatchRunner } from './batches/batch-runner';
export { BatchLane } from './batches/batch-lane';

const app = buildApp();

export default {
  // The JSON inference routes are taken straight (routes/direct.ts); everything else is Hono's.
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> | Response {
    const direct = directRoute(request);
    return direct ? direct(request, env, ctx) : app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
