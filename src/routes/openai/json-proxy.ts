import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../../env';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { editTopLevel, type TopLevelEdits } from '../../http/json-edit';
import { validate } from '../../http/validate';
import type { Endpoint } from '../../proxy/endpoint';
import { runInference } from '../../proxy/inference';

interface JsonRoute<S extends z.ZodType> {
  endpoint: Endpoint;
  schema: S;
  /** Edits beyond `model` (computed once; applied for every deployment tried). */
  edits?(body: Record<string, unknown>): TopLevelEdits;
  reshape?(value: Record<string, unknown>): Record<string, unknown>;
}

/** The handler shared by every JSON inference route: read, validate, then the common request path. */
export function jsonProxy<S extends z.ZodType<{ model: string; stream?: boolean | null }>>(route: JsonRoute<S>) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const raw = await readJsonObject(c.req.raw, maxJsonBytes(c.env.MAX_REQUEST_BODY_MB));
    const parsed = validate(route.schema, raw.value);
    const stream = parsed.stream === true;
    const edits = route.edits?.(raw.value) ?? {};
    // Usage is needed to bill a stream: ask vLLM for it and hide the extra chunk from a client that did not.
    const options = raw.value.stream_options as Record<string, unknown> | null | undefined;
    const inject = stream && options?.include_usage !== true;
    if (inject) edits.stream_options = { ...(options ?? {}), include_usage: true };
    return runInference(c, {
      endpoint: route.endpoint,
      model: parsed.model,
      stream,
      stripUsageChunk: inject,
      body: raw.value,
      upstreamBody: (target) => ({
        body: editTopLevel(raw.text, { ...edits, model: target.servedModel }),
        contentType: 'application/json',
      }),
      ...(route.reshape ? { reshape: route.reshape } : {}),
    });
  };
}
