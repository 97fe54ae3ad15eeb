/** Requests in flight per deployment in this isolate, for the `least-busy` strategy. */
const inFlight = new Map<string, number>();

export function busyCount(id: string): number {
  return inFlight.get(id) ?? 0;
}

/** Counts a request against a deployment; the returned function releases it (safe to call more than once). */
export function acquire(id: string): () => void {
  inFlight.set(id, busyCount(id) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = busyCount(id) - 1;
    if (n > 0) inFlight.set(id, n);
    else inFlight.delete(id);
  };
}
