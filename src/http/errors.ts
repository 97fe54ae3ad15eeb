/**
 * Every failure the gateway reports is a GatewayError with a kind; `renderError` (one place) maps kinds to the
 * wire envelope `{"error":{"message","type","param","code"}}`. Messages must never contain a secret.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'model_not_found'
  | 'unauthorized'
  | 'expired_key'
  | 'key_model_access_denied'
  | 'forbidden'
  | 'budget_exceeded'
  | 'rate_limited'
  | 'conflict'
  | 'not_configured'
  | 'upstream_error'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  /** The client went away before the answer: nobody reads this one. */
  | 'client_gone'
  /** The Worker invocation may make no more subrequests (subrequest-limit.ts). */
  | 'invocation_limit'
  | 'internal';

export interface ErrorOptions {
  param?: string | null;
  /** Overrides the wire `type` (used to keep an upstream's own error type, or a LiteLLM rate-limit type). */
  type?: string;
  /** Overrides the HTTP status (upstream errors keep theirs). */
  status?: number;
  headers?: Record<string, string>;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly options: ErrorOptions = {},
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, param: string | null = null): GatewayError =>
  new GatewayError('invalid_request', message, { param });

export const notFound = (message: string, param: string | null = null): GatewayError =>
  new GatewayError('not_found', message, { param });

export const unauthorized = (message: string): GatewayError => new GatewayError('unauthorized', message);
