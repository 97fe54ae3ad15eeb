import type { Knobs } from './knobs';
import type { ParsedForm } from './multipart';
import type { Reply } from './reply';
import type { SimConfig } from './types';

/** Everything a route handler needs for one request. */
export interface RouteContext {
  /** Snapshot of the instance config when the request arrived. */
  config: SimConfig;
  knobs: Knobs;
  reply: Reply;
  body: Buffer;
  /** Set when the body was multipart/form-data and parsed. */
  form?: ParsedForm;
}

/** Handlers reply through `ctx.reply`, or throw a VllmError. */
export type Handler = (ctx: RouteContext) => void | Promise<void>;
