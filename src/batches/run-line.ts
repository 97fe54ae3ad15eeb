import type { Bindings } from '../env';
import { GatewayError } from '../http/errors';
import { isSubrequestLimit } from '../http/subrequest-limit';
import { sizeText } from '../http/body';
import { scanTopLevel } from '../http/json-edit';
import { errorBody } from '../http/render-error';
import type { CallContext } from '../proxy/call-context';
import type { InferenceRequest } from '../proxy/inference';
import { runInference } from '../proxy/inference';
import { JSON_ROUTES, jsonInference, type JsonRoute } from '../proxy/json-inference';
import { retryAfterHeaderMs, retryAfterMs } from '../routing/backoff';
import type { ClaimedLine, LaneSpec, LineOutcome } from './batch-types';
import { batchLineKey } from '../files/r2-layout';
import { errorLine, responseLine, responseLineParts } from './output-lines';
import { MAX_LINE_ANSWER_BYTES, readLineAnswer, type SpillTarget } from './line-answer';

const ROUTE_FOR: Record<LaneSpec['endpoint'], JsonRoute> = {
  '/v1/chat/completions': JSON_ROUTES.chat,
  '/v1/completions': JSON_ROUTES.completion,
  '/v1/embeddings': JSON_ROUTES.embedding,
};

const MAX_ATTEMPTS = 5;
/** A wait longer than this (a budget that resets tomorrow) makes the failure final instead of a retry. */
const MAX_RETRY_WAIT_MS = 5 * 60_000;
/**
 * The wait of a refusal that clears by itself but names no time ahead: a tpm window holding only reservations in
 * flight says `retry-after: 0`. A line booked sooner ends the lane's hold anyway.
 */
const DEFAULT_REFUSAL_WAIT_MS = 1000;
/** The ledger's wording for a budget held by reservations (src/keys/ledger-refusals.ts), not spent. */
const HELD_IN_FLIGHT = /^Budget is held by requests in flight/;

/**
 * What running a line came to: an answer (or a failure) to report once `booked` settles, or a refusal by the key's
 * own ledger that clears by itself (budget held by requests in flight, rpm/tpm/parallel limits). A refused line was
 * neither sent nor billed: it is not an attempt, and the lane runs it again after `waitMs` (or sooner).
 */
export type LineRun =
  /** `subrequests`: R2 calls made to keep a large answer, beyond what a line usually takes (the lane's budget). */
  | { kind: 'ran'; outcome: LineOutcome; booked: Promise<unknown>; subrequests?: number }
  | { kind: 'refused'; waitMs: number }
  /** The lane's invocation may make no more subrequests: the line goes back unrun, for a new invocation. */
  | { kind: 'yield' };

/**
 * Runs one batch line exactly like a live request — same validation, routing, retries, fallbacks, allowlist and
 * accounting — as the key that created the batch, at the deployment's batch prices, with `model` forced to the
 * batch's model group. Upstream overloads are retried later (MAX_ATTEMPTS); the key's own refusals wait (LineRun).
 */
export async function runLine(
  env: Bindings,
  spec: LaneSpec,
  line: ClaimedLine,
  text: string,
  deployment?: string,
): Promise<LineRun> {
  const settled: Promise<unknown>[] = [];
  const ctx: CallContext = {
    env,
    caller: spec.caller,
    requestId: `batch-${spec.internal}-${line.lineNo}-${line.attempt}`,
    startedAt: Date.now(),
    waitUntil: (p) => settled.push(p),
    batch: true,
    upstreamMs: 0,
  };
  let status: number;
  let body: unknown;
  /** The answer's Retry-After in ms, when it names a time ahead. */
  let retryAfter: number | undefined;
  let sent = false;
  try {
    const request = lineRequest(spec, text);
    if (deployment !== undefined) request.preferDeployment = deployment;
    const res = await runInference(ctx, request);
    sent = true;
    status = res.status;
    // A 2xx answer too large for the runner's row is kept in R2. A runner of the previous version (during a
    // deploy) names no owner: such a line's large answer is not kept.
    const spill: SpillTarget | undefined = spec.owner === undefined || status < 200 || status >= 300 ? undefined : {
      bucket: env.FILES,
      key: batchLineKey(spec.owner, spec.internal, line.lineNo),
      ...responseLineParts(line.customId, status, ctx.requestId),
    };
    const answer = await readLineAnswer(res, spill);
    if (answer.text === undefined) {
      const booked = Promise.allSettled(settled);
      const subrequests = answer.subrequests ?? 0;
      if (answer.spilled) return { kind: 'ran', outcome: { kind: 'done', ok: true, output: '', spilled: answer.spilled }, booked, subrequests };
      // Run and billed (the deployment did the work), but not kept: the line ends in the error file.
      const message = answer.incomplete
        ? `The answer (${sizeText(answer.bytes)}, too large to keep in the runner) ended before its JSON object did`
        : `The answer (${sizeText(answer.bytes)}) exceeds the ${sizeText(MAX_LINE_ANSWER_BYTES)} a batch output line may hold; send fewer inputs per line`;
      const output = errorLine(line.customId, 'output_too_large', message);
      return { kind: 'ran', outcome: { kind: 'done', ok: false, output }, booked, subrequests };
    }
    body = parse(answer.text);
    retryAfter = retryAfterHeaderMs(res.headers.get('retry-after'));
  } catch (err) {
    // Only a line that was not sent goes back unrun: one whose answer could not be kept ran, and was billed.
    if (isSubrequestLimit(err) && !sent) return { kind: 'yield' };
    const known = err instanceof GatewayError ? err : new GatewayError('internal', 'Internal error running this request');
    ({ status, body } = errorBody(known));
    retryAfter = retryAfterMs(known);
    if (known.kind === 'budget_exceeded' || known.kind === 'rate_limited') {
      // Refused at admission: not sent, not billed. What clears by itself (requests in flight settle, a window
      // rolls, a budget resets soon) waits, bounded by the batch's completion window; a spent budget never clears.
      const waitMs = refusalWaitMs(known, retryAfter);
      if (waitMs !== undefined && waitMs <= MAX_RETRY_WAIT_MS) return { kind: 'refused', waitMs };
      const output = responseLine(line.customId, status, ctx.requestId, body);
      return { kind: 'ran', outcome: { kind: 'done', ok: false, output }, booked: Promise.resolve() };
    }
  }
  // The caller reports the line once `booked` settles (its cost is in the ledger), and runs its next line meanwhile.
  const booked = Promise.allSettled(settled);
  const output = responseLine(line.customId, status, ctx.requestId, body);
  if ((status === 429 || status >= 500) && line.attempt < MAX_ATTEMPTS) {
    const waitMs = retryAfter ?? 1000 * 2 ** (line.attempt - 1);
    if (waitMs <= MAX_RETRY_WAIT_MS) return { kind: 'ran', outcome: { kind: 'retry', delayMs: waitMs, output }, booked };
  }
  return { kind: 'ran', outcome: { kind: 'done', ok: status >= 200 && status < 300, output }, booked };
}

/**
 * How long a line refused by its key's ledger waits, or undefined when the refusal is final. Rate limits always
 * clear (their windows roll, parallel slots free up), and so does a budget held by reservations; a spent budget
 * clears only at its reset, which is its retry-after.
 */
function refusalWaitMs(err: GatewayError, retryAfter: number | undefined): number | undefined {
  if (err.kind === 'rate_limited' || HELD_IN_FLIGHT.test(err.message)) return retryAfter ?? DEFAULT_REFUSAL_WAIT_MS;
  return retryAfter;
}

/** The line's `body`, byte for byte as the file holds it (the last one if repeated, as JSON.parse reads it). */
function lineRequest(spec: LaneSpec, text: string): InferenceRequest {
  const member = scanTopLevel(text).findLast((m) => m.key === 'body');
  if (!member) throw new GatewayError('invalid_request', 'This line has no body');
  const bodyText = text.slice(member.valueStart, member.end);
  const value = JSON.parse(bodyText) as Record<string, unknown>;
  return jsonInference(ROUTE_FOR[spec.endpoint], { text: bodyText, value }, spec.model);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
