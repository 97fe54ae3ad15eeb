import type { Caller } from '../auth/caller';
import type { BatchEndpoint } from '../files/batch-file';
import type { LanePlan } from './lane-plan';

export type BatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

/** Everything a batch's runner keeps about it (one row); `toBatchObject` is what the OpenAI API shows. */
export interface BatchState {
  id: string;
  internal: string;
  /** key_id of the creator, or "master": who may see it. */
  owner: string;
  /** Who is billed for each line, and whose allowlist applies: the creating key as it was at creation. */
  caller: Caller;
  model: string;
  endpoint: BatchEndpoint;
  input_file_id: string;
  /** R2 key of the input file's content. */
  input_key: string;
  completion_window: string;
  metadata: Record<string, string> | null;
  status: BatchStatus;
  /** Lines run at once: the sum of batch_concurrency over the group's deployments. */
  concurrency: number;
  /** The lanes, each with the deployment it runs on first (lane-plan.ts); absent in batches stored before it. */
  lanes?: LanePlan[];
  created_at: number;
  expires_at: number;
  in_progress_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  output_file_id: string | null;
  error_file_id: string | null;
  errors: { code: string; message: string; line?: number }[];
  /** `output_expires_after.seconds`: the output and error files expire this long after they are written. */
  output_expires_after?: number;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

export function toBatchObject(s: BatchState, counts: RequestCounts): Record<string, unknown> {
  return {
    id: s.id,
    object: 'batch',
    endpoint: s.endpoint,
    errors: s.errors.length ? { object: 'list', data: s.errors } : null,
    input_file_id: s.input_file_id,
    completion_window: s.completion_window,
    status: s.status,
    output_file_id: s.output_file_id,
    error_file_id: s.error_file_id,
    created_at: s.created_at,
    in_progress_at: s.in_progress_at,
    expires_at: s.expires_at,
    finalizing_at: s.finalizing_at,
    completed_at: s.completed_at,
    failed_at: s.failed_at,
    expired_at: s.expired_at,
    cancelling_at: s.cancelling_at,
    cancelled_at: s.cancelled_at,
    request_counts: counts,
    metadata: s.metadata,
  };
}

/** A line handed to a lane. */
export interface ClaimedLine {
  lineNo: number;
  customId: string;
  offset: number;
  length: number;
  attempt: number;
}

export interface LineReport {
  lineNo: number;
  outcome: LineOutcome;
}

/** What a lane reports for a line: a final result (one output-file line), or "try again later". */
export type LineOutcome =
  /** `spilled`: the output line is this R2 object instead (an answer too large for the runner's row; `output` empty). */
  | { kind: 'done'; ok: boolean; output: string; spilled?: string }
  | { kind: 'retry'; delayMs: number; output: string }
  /** Claimed but never started (the lane's run ended): back to pending at once. */
  | { kind: 'release' };

/** What a lane needs to run lines of this batch. */
export interface LaneSpec {
  batchId: string;
  internal: string;
  /** Who owns the batch (its R2 paths start with it); absent from a runner of the previous version. */
  owner?: string;
  model: string;
  endpoint: BatchEndpoint;
  inputKey: string;
  caller: Caller;
  /** Lines that stopped being worth running (cancel, expiry, or the batch finished). */
  stopped: boolean;
}
