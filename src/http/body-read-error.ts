import { GatewayError, invalidRequest } from './errors';

/**
 * A request body that failed while being read (the client's connection broke, or it sent less than its
 * Content-Length, or a bad chunk size) is the client's problem: a 400, never an internal error. Typed errors that
 * reach here unchanged (a body-size limit of ours) keep their meaning.
 */
export function bodyReadError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return invalidRequest(
    'The request body could not be read in full: the connection broke or the body was shorter than its Content-Length',
  );
}
