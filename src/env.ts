import type { Caller } from './auth/caller';
import type { Session } from './ui/session';
import type { ConfigStore } from './deployments/config-store';
import type { KeyLedger } from './keys/key-ledger';
import type { BatchLane } from './batches/batch-lane';
import type { BatchRunner } from './batches/batch-runner';

/** Worker bindings (wrangler.toml) and secrets. Secrets are optional because a deployment may forget them. */
export interface Bindings {
  GATEWAY_KV: KVNamespace;
  FILES: R2Bucket;
  CONFIG: DurableObjectNamespace<ConfigStore>;
  KEYS: DurableObjectNamespace<KeyLedger>;
  BATCHES: DurableObjectNamespace<BatchRunner>;
  BATCH_LANES: DurableObjectNamespace<BatchLane>;
  MASTER_KEY?: string;
  HOSTED_VLLM_API_BASE?: string;
  HOSTED_VLLM_API_KEY?: string;
  /** Largest JSON request body in MiB (default 16). */
  MAX_REQUEST_BODY_MB?: string;
  /** Lines a batch lane starts per invocation (default 1,000: within the Paid plan's 10,000 subrequests). */
  BATCH_LINES_PER_RUN?: string;
}

export interface Variables {
  /** Set by routes that call an upstream (beginCall): their error responses carry the same call id. */
  callId: string;
  caller: Caller;
  /** Dashboard only: the signed-in session, its CSRF token, and the submitted form (checked before handlers run). */
  session: Session;
  csrf: string;
  form: Record<string, string>;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

/** `os.environ/NAME` references and other by-name lookups read the env as a plain record of strings. */
export function envString(env: Bindings, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
