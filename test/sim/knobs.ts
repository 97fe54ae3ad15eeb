import type { IncomingHttpHeaders } from 'node:http';
import { isHttpStatus } from './config';
import type { SimConfig } from './types';

/** The fault/timing knobs in force for one request: the config, overridden by `x-sim-*` headers. */
export interface Knobs {
  latencyMs: number;
  chunkDelayMs: number;
  firstChunkDelayMs: number;
  status?: number;
  cutAfterChunks?: number;
  errorAfterChunks?: number;
  chunkedJson?: boolean;
  cutJsonAfterBytes?: number;
}

function headerInt(headers: IncomingHttpHeaders, name: string): number | undefined {
  const raw = headers[name];
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

export function readKnobs(config: SimConfig, headers: IncomingHttpHeaders): Knobs {
  const knobs: Knobs = {
    latencyMs: headerInt(headers, 'x-sim-latency-ms') ?? config.latencyMs,
    chunkDelayMs: headerInt(headers, 'x-sim-chunk-delay-ms') ?? config.chunkDelayMs,
    firstChunkDelayMs: headerInt(headers, 'x-sim-first-chunk-delay-ms') ?? config.firstChunkDelayMs ?? 0,
  };
  const header = headerInt(headers, 'x-sim-status');
  const status = header !== undefined && isHttpStatus(header) ? header : config.status;
  const cut = headerInt(headers, 'x-sim-cut-after-chunks') ?? config.cutAfterChunks;
  const error = headerInt(headers, 'x-sim-error-after-chunks') ?? config.errorAfterChunks;
  if (status !== undefined) knobs.status = status;
  if (cut !== undefined) knobs.cutAfterChunks = cut;
  if (error !== undefined) knobs.errorAfterChunks = error;
  const cutJson = headerInt(headers, 'x-sim-cut-json-after-bytes') ?? config.cutJsonAfterBytes;
  if (cutJson !== undefined) knobs.cutJsonAfterBytes = cutJson;
  if (headers['x-sim-chunked-json'] === '1' || config.chunkedJson) knobs.chunkedJson = true;
  return knobs;
}
