import { ClientGone } from '../upstream/vllm/client';

/**
 * Waits `ms` before a retry, or rejects with ClientGone as soon as `signal` fires: a key's call is kept alive until
 * it is booked, so a pause that outlived its client would hold the key's reservation and parallel slot for nothing.
 */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new ClientGone());
  return new Promise<void>((resolve, reject) => {
    const gone = (): void => {
      clearTimeout(timer);
      reject(new ClientGone());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', gone);
      resolve();
    }, ms);
    signal?.addEventListener('abort', gone, { once: true });
  });
}
