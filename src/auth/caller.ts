/**
 * Who is making a request: the operator (master key) or a virtual key known by its sha256. Whether that key exists,
 * is blocked or expired is decided by its ledger Durable Object, in the same round trip that admits the request.
 */
export type Caller = { kind: 'master' } | { kind: 'key'; hash: string };
