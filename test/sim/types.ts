// Wire types of the simulator's control plane. Pure types, no imports: the workerd-side helper
// (test/helpers/sim.ts) imports this file too, and it has no Node types.

/** One simulated vLLM server's behaviour. Every field can be changed at runtime. */
export interface SimConfig {
  /** Served model names (`vllm serve --served-model-name`). */
  models: string[];
  /** Like `vllm serve --api-key`: every `/v1…` path needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Wait before sending response headers (inference routes only). */
  latencyMs: number;
  /** Wait between SSE events. */
  chunkDelayMs: number;
  /** Streaming: wait after the headers, before the first event (vLLM sends headers at once, tokens after prefill). */
  firstChunkDelayMs?: number;
  /** Every inference request fails with this HTTP status. */
  status?: number;
  /** The next N inference requests fail (with `failNextStatus`, default 500), then normal service resumes. */
  failNext: number;
  /** Status for the `failNext` failures. */
  failNextStatus?: number;
  /** Sent as `Retry-After` on simulated 429/503 failures. */
  retryAfterSeconds?: number;
  /** Streaming: destroy the socket after N `data:` events (no [DONE], no chunked terminator). */
  cutAfterChunks?: number;
  /** Streaming: after N events send vLLM's in-stream error event, then [DONE]. */
  errorAfterChunks?: number;
  /** JSON answers of inference routes go out chunked, without Content-Length (as some proxies in front send them). */
  chunkedJson?: boolean;
  /** JSON answers of inference routes go out chunked and the socket is destroyed after this many bytes. */
  cutJsonAfterBytes?: number;
  /** Close the listening socket (ECONNREFUSED); false re-listens on the same port. */
  refuse: boolean;
  /** Prompt tokens + requested max tokens above this → vLLM's 400. */
  maxModelLen: number;
  /** Models that accept `dimensions` on /v1/embeddings. */
  matryoshkaModels: string[];
  /** Length of generated embedding vectors. */
  embeddingDim: number;
  /** Reported by GET /version. */
  version: string;
  /** Accepted transcription `response_format` values. */
  transcriptionFormats: string[];
}

/** A config patch. `null` resets a field to its default (for optional fields: unset). */
export type SimConfigPatch = { [K in keyof SimConfig]?: SimConfig[K] | null };

export interface SimFormFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** One request received by an instance (`/_sim/*` requests are never logged). */
export interface SimLogEntry {
  seq: number;
  /** Arrival time, ms since epoch. */
  time: number;
  method: string;
  path: string;
  /** Query string without the leading `?`. */
  query: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** UTF-8 decoding of the raw body bytes (multipart included). */
  body: string;
  bodyBytes: number;
  /** Hex sha256 of the raw body bytes. */
  bodySha256: string;
  /** Parsed body, when it was JSON. */
  json?: unknown;
  /** Parsed body, when it was multipart/form-data. */
  form?: { fields: Record<string, string>; files: SimFormFile[] };
  /** Status sent (0 until headers are written). */
  status: number;
  /** The response was fully written. */
  completed: boolean;
  /** The client closed the connection before the response finished. */
  aborted: boolean;
}

/** Reply of `POST /_sim/instances`. */
export interface SimSpawned {
  id: string;
  url: string;
}

/** Item of `GET /_sim/instances`. */
export interface SimInstanceInfo extends SimSpawned {
  refusing: boolean;
}
