import type { TopLevelEdits } from '../http/json-edit';

/**
 * Reshapes an upstream answer when the request was sent in another form than the client used (a chat request
 * served by a completion-only model). `events` makes a fresh, possibly stateful mapper for one stream.
 */
export interface ResponseAdapter {
  json(value: Record<string, unknown>): Record<string, unknown>;
  events(): (event: Record<string, unknown>) => Record<string, unknown>[];
}

/** What a route builds for one deployment: the upstream body, and where and how it goes when that differs. */
export interface BuiltRequest {
  body: BodyInit;
  contentType: string;
  /** Upstream path when it is not the endpoint's usual one. */
  path?: string;
  adapter?: ResponseAdapter;
}

/** A request a deployment needs in another shape: another path, other edits, and the adapter for the answer. */
export interface Conversion {
  path: string;
  /** Replace the route's own edits; `model` and the usage request are still applied. */
  edits: TopLevelEdits;
  adapter: ResponseAdapter;
}
