import type { SettledBatch, Settlement } from './ledger-types';

/**
 * A settlement as it travels to its ledger: a tuple. Structured clone copies an object key by key (each key read
 * and interned, the object's shape rebuilt one property at a time); a tuple of the same values costs roughly half
 * as much to serialize and deserialize, and every request's booking pays it once on each side.
 */
export type SettlementRow = [
  requestId: string,
  group: string,
  deploymentId: string | null,
  callType: string,
  promptTokens: number,
  completionTokens: number,
  totalTokens: number,
  nanos: number,
  /** 1 for success, 0 for failure. */
  ok: 0 | 1,
  estimated: 0 | 1,
  startedAt: number,
  endedAt: number,
  releaseOnly: 0 | 1,
];

/**
 * What `settleMany` is sent: rows from the outbox; objects in resends, in forwards between ledgers and from isolates
 * of the previous version.
 */
export type SettlementPayload = SettledBatch | { apiKey: string; rows: SettlementRow[] };

function toRow(s: Settlement): SettlementRow {
  return [
    s.requestId,
    s.group,
    s.deploymentId,
    s.callType,
    s.promptTokens,
    s.completionTokens,
    s.totalTokens,
    s.nanos,
    s.status === 'success' ? 1 : 0,
    s.estimated ? 1 : 0,
    s.startedAt,
    s.endedAt,
    s.releaseOnly ? 1 : 0,
  ];
}

function fromRow(r: SettlementRow): Settlement {
  const s: Settlement = {
    requestId: r[0],
    group: r[1],
    deploymentId: r[2],
    callType: r[3],
    promptTokens: r[4],
    completionTokens: r[5],
    totalTokens: r[6],
    nanos: r[7],
    status: r[8] === 1 ? 'success' : 'failure',
    estimated: r[9] === 1,
    startedAt: r[10],
    endedAt: r[11],
  };
  if (r[12] === 1) s.releaseOnly = true;
  return s;
}

export function toPayload(apiKey: string, items: readonly Settlement[]): SettlementPayload {
  return { apiKey, rows: items.map(toRow) };
}

/**
 * What the outbox sends: rows, except when the call resends settlements a failed call carried. A ledger still
 * running the previous version (a gradual deployment pins each Durable Object to one version while isolates of the
 * next one already call it) reads only objects; it fails a call of rows, and the resend reaches it in a form it
 * reads. Resends are rare, so they may cost the objects' larger copy.
 */
export function payloadFor(apiKey: string, items: Settlement[], resend: boolean): SettlementPayload {
  return resend ? { apiKey, items } : toPayload(apiKey, items);
}

export function fromPayload(p: SettlementPayload): SettledBatch {
  return 'rows' in p ? { apiKey: p.apiKey, items: p.rows.map(fromRow) } : p;
}
