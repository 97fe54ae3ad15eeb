import type { Caller } from '../auth/caller';
import type { Bindings } from '../env';
import { invalidRequest, notFound } from '../http/errors';
import type { BatchEndpoint } from '../files/batch-file';
import { nowSeconds } from '../files/expiry';
import { ownedFile, updateFileRecord, type FileRecord } from '../files/file-store';
import { decodeId, encodeId, newInternalId } from '../files/ids';
import { batchIndexKey, batchMetaKey, batchMetaPrefix, fileKey } from '../files/r2-layout';
import type { ModelTarget } from '../routing/resolve';
import type { BatchState } from './batch-types';
import { planLanes } from './lane-plan';
import { runnerStub } from './stubs';
const DAY_S = 86_400;
/** How long after a batch's own expiry its input file is still kept (for the runner to wind down). */
const INPUT_HOLD_S = 3600;

export interface CreateBatch {
  input_file_id: string;
  endpoint: string;
  completion_window: string;
  metadata?: Record<string, string> | undefined;
  /** Seconds the output and error files live after they are written (OpenAI's output_expires_after). */
  output_expires_after?: number | undefined;
}

/** The caller's input file, if it is a batch file whose requests target `endpoint`. */
export async function batchInput(env: Bindings, owner: string, input: CreateBatch): Promise<FileRecord & { batch_url: BatchEndpoint }> {
  const file = await ownedFile(env.FILES, owner, input.input_file_id);
  if (file.purpose !== 'batch') throw invalidRequest(`File ${file.id} has purpose ${file.purpose}, not batch`, 'input_file_id');
  if (!file.batch_url || file.batch_url !== input.endpoint) {
    throw invalidRequest(`The file's requests target ${file.batch_url ?? 'nothing'}, not ${input.endpoint}`, 'endpoint');
  }
  return { ...file, batch_url: file.batch_url };
}

/** Validates a batch against its input file and starts its runner. */
export async function createBatch(
  env: Bindings,
  owner: string,
  caller: Caller,
  target: ModelTarget,
  input: CreateBatch,
  label: string,
): Promise<Record<string, unknown>> {
  const file = await batchInput(env, owner, input);
  const internal = newInternalId();
  const created = nowSeconds();
  const lanes = planLanes(target.deployments);
  const concurrency = lanes.reduce((n, lane) => n + lane.slots, 0);
  const state: BatchState = {
    id: encodeId('batch', internal, file.model),
    internal,
    owner,
    caller,
    model: file.model,
    endpoint: file.batch_url,
    input_file_id: file.id,
    input_key: fileKey(owner, file.internal),
    completion_window: input.completion_window,
    metadata: input.metadata ?? null,
    status: 'validating',
    concurrency,
    lanes,
    created_at: created,
    expires_at: created + DAY_S,
    in_progress_at: null,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    output_file_id: null,
    error_file_id: null,
    errors: [],
    ...(input.output_expires_after !== undefined ? { output_expires_after: input.output_expires_after } : {}),
  };
  await holdInput(env.FILES, file, state.expires_at + INPUT_HOLD_S);
  const batch = await runnerStub(env, internal).create(state);
  await Promise.all([
    env.FILES.put(batchMetaKey(owner, internal), new Uint8Array(0), { customMetadata: { model: file.model, label } }),
    env.FILES.put(batchIndexKey(internal), new Uint8Array(0), { customMetadata: { owner, label } }),
  ]);
  return batch;
}

/**
 * An input file that expires while its batch may still read it (lines are read back from R2 by range) keeps its
 * objects until `until`; it is still shown as gone from its own `expires_at` on. The record is changed as stored
 * now, not as read when the batch was validated: a file deleted meanwhile stays deleted, and the batch is refused.
 */
export async function holdInput(bucket: R2Bucket, file: FileRecord, until: number): Promise<void> {
  if (file.expires_at === undefined || file.expires_at >= until || (file.held_until ?? 0) >= until) return;
  const held = await updateFileRecord(bucket, file.owner, file.internal, (f) => (
    (f.held_until ?? 0) >= until ? f : { ...f, held_until: until }
  ));
  if (!held) throw notFound(`No such file: ${file.id}`, 'input_file_id');
}

/** The runner of the caller's batch with this id, or 404 (owner and the id's model are both checked). */
export function ownedRunner(env: Bindings, id: string) {
  const decoded = decodeId('batch', id);
  if (!decoded) throw notFound(`No such batch: ${id.slice(0, 120)}`, 'batch_id');
  return { runner: runnerStub(env, decoded.internal), model: decoded.model };
}

export async function describeBatch(env: Bindings, owner: string, id: string): Promise<Record<string, unknown>> {
  const { runner, model } = ownedRunner(env, id);
  const batch = await runner.describe(owner);
  if (!batch || batch.id !== encodeId('batch', decodeId('batch', id)!.internal, model)) {
    throw notFound(`No such batch: ${id.slice(0, 120)}`, 'batch_id');
  }
  return batch;
}

export async function cancelBatch(env: Bindings, owner: string, id: string): Promise<Record<string, unknown>> {
  await describeBatch(env, owner, id);
  const batch = await ownedRunner(env, id).runner.cancel(owner);
  if (!batch) throw notFound(`No such batch: ${id.slice(0, 120)}`, 'batch_id');
  return batch;
}

/** The caller's batches, newest first; `after` is a batch id of the previous page. */
export async function listBatches(env: Bindings, owner: string, limit: number, after?: string): Promise<{ data: Record<string, unknown>[]; has_more: boolean }> {
  const prefix = batchMetaPrefix(owner);
  const afterInternal = after ? decodeId('batch', after)?.internal : undefined;
  const page = await env.FILES.list({ prefix, limit: limit + 1, ...(afterInternal ? { startAfter: prefix + afterInternal } : {}) });
  const internals = page.objects.map((o) => o.key.slice(prefix.length));
  const shown = internals.slice(0, limit);
  const data = (await Promise.all(shown.map((i) => runnerStub(env, i).describe(owner)))).filter((b): b is Record<string, unknown> => b !== null);
  return { data, has_more: internals.length > limit };
}

