import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { GatewayError, type ErrorKind } from './errors';
import { newCallId } from './call-id';
import { CALL_ID_HEADER, callIdOf } from './request-context';

interface WireShape {
  status: number;
  type: string;
}

/** The single mapping from error kinds to HTTP status and OpenAI/LiteLLM error `type`. Exhaustive by construction. */
export function wireShape(kind: ErrorKind): WireShape {
  switch (kind) {
    case 'invalid_request':
      return { status: 400, type: 'invalid_request_error' };
    case 'unsupported_media_type':
      return { status: 415, type: 'invalid_request_error' };
    case 'payload_too_large':
      return { status: 413, type: 'invalid_request_error' };
    case 'not_found':
      return { status: 404, type: 'not_found_error' };
    case 'model_not_found':
      return { status: 404, type: 'invalid_request_error' };
    case 'unauthorized':
      return { status: 401, type: 'auth_error' };
    case 'expired_key':
      return { status: 401, type: 'expired_key' };
    case 'key_model_access_denied':
      return { status: 403, type: 'key_model_access_denied' };
    case 'forbidden':
      return { status: 403, type: 'permission_error' };
    case 'budget_exceeded':
      return { status: 429, type: 'budget_exceeded' };
    case 'rate_limited':
      return { status: 429, type: 'rate_limit_error' };
    case 'conflict':
      return { status: 409, type: 'invalid_request_error' };
    case 'not_configured':
      return { status: 503, type: 'gateway_not_configured' };
    case 'upstream_error':
      return { status: 502, type: 'upstream_error' };
    case 'upstream_unreachable':
      return { status: 502, type: 'upstream_unreachable' };
    case 'upstream_timeout':
      return { status: 504, type: 'timeout' };
    case 'client_gone':
      return { status: 499, type: 'client_closed_request' };
    case 'invocation_limit':
      return { status: 503, type: 'service_unavailable' };
    case 'internal':
      return { status: 500, type: 'internal_server_error' };
  }
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

export function errorBody(err: GatewayError): { status: number; body: ErrorBody } {
  const shape = wireShape(err.kind);
  const status = err.options.status ?? shape.status;
  return {
    status,
    body: {
      error: {
        message: err.message,
        type: err.options.type ?? shape.type,
        param: err.options.param ?? null,
        code: String(status),
      },
    },
  };
}

export function errorResponse(err: GatewayError, callId: string): Response {
  const { status, body } = errorBody(err);
  const headers = new Headers({ 'content-type': 'application/json', [CALL_ID_HEADER]: callId });
  for (const [name, value] of Object.entries(err.options.headers ?? {})) headers.set(name, value);
  return new Response(JSON.stringify(body), { status, headers });
}

/** Hono's onError: typed errors render as they are; anything else is a bug, logged without request data. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  // An error of a call keeps its id (that of its spend-log row); any other error gets one, as LiteLLM's do.
  return renderError(err, callIdOf(c) ?? newCallId());
}

/** What onError does, for the routes served without Hono (directJsonProxy, src/routes/direct.ts). */
export function renderError(err: unknown, callId: string): Response {
  const error = err instanceof Error ? err : new Error(String(err));
  const known = toGatewayError(error);
  if (known.kind === 'internal') console.error('unhandled error', error.name, error.message);
  return errorResponse(known, callId);
}

function toGatewayError(err: Error): GatewayError {
  if (err instanceof GatewayError) return err;
  // Hono throws HTTPException for its own parsing helpers; keep their status but our envelope.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new GatewayError('invalid_request', err.message || 'Bad request', { status });
  }
  return new GatewayError('internal', 'Internal error in the gateway');
}
