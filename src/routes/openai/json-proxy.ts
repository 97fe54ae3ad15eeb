import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../../env';
import { maxJsonBytes, readJsonObject } from '../../http/body';
import { editTopLevel, type TopLevelEdits } from '../../http/json-edit';
import { validate } from '../../http/validate';
import type { Endpoint } from '../../proxy/endpoint';
import { runInference } from '../../proxy/inference';
import { httpCallContext } from '../../proxy/call-context';
import type { Conversion } from '../../proxy/response-adapter';
import type { Deployment } from '../../deployments/schema';

interface JsonRoute<S extends z.ZodType> {
  endpoint: Endpoint;
  schema: S;
  /** Edits beyond `model` (computed once; applied for every deployment tried). */
  edits?(body: Record<string, unknown>): TopLevelEdits;
  reshape?(value: Record<string, unknown>): Record<string, unknown>;
  /** For a deployment that needs the request in another shape (chat served by a completion-only model). */
  convert?(deployment: Deployment, body: Record<string, unknown>): Conversion | undefined;
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
    const usageEdit: TopLevelEdits = inject ? { stream_options: { ...(options ?? {}), include_usage: true } } : {};
    return runInference(httpCallContext(c), {
      endpoint: route.endpoint,
      model: parsed.model,
      stream,
      stripUsageChunk: inject,
      body: raw.value,
      upstreamBody: (target, deployment) => {
        const conversion = route.convert?.(deployment, raw.value);
        const own = conversion ? conversion.edits : edits;
        const body = editTopLevel(raw.text, { ...own, ...usageEdit, model: target.servedModel });
        if (!conversion) return { body, contentType: 'application/json' };
        return { body, contentType: 'application/json', path: conversion.path, adapter: conversion.adapter };
      },
      ...(route.reshape ? { reshape: route.reshape } : {}),
    });
  };
}
