import { GatewayError } from './errors';

/**
 * Workers count the subrequests of one invocation (fetches, Durable Object calls, R2 reads): 10,000 by default on
 * the Paid plan (`[limits] subrequests` raises it), 50 external ones on Free. Past the limit every further one
 * throws "Too many subrequests by single Worker invocation". Live requests stay far below it; a batch lane, which
 * runs many lines in one alarm, bounds its own (batch-lane.ts) and yields to a new invocation if it is reached.
 */
export function isSubrequestLimit(err: unknown): boolean {
  if (err instanceof GatewayError) return err.kind === 'invocation_limit';
  return err instanceof Error && /too many subrequests/i.test(err.message);
}

/** Not the deployment's failure (no cooldown, no retry in this invocation): a new invocation may send it. */
export function subrequestLimitError(): GatewayError {
  return new GatewayError('invocation_limit', 'This Worker invocation reached its subrequest limit; retry the request', {
    headers: { 'retry-after': '1' },
  });
}
