import type { Deployment } from '../deployments/schema';
import type { Endpoint } from '../proxy/endpoint';
import { completionTokensOf, maxPromptTokens } from './estimate';
import { worstCaseNanos } from './pricing';
import { uploadBound } from './upload-bound';

/** What admission needs to know of a request to bound its cost. */
export interface ReservationInput {
  endpoint: Endpoint;
  /** The parsed JSON body (empty for uploads). */
  body: Record<string, unknown>;
  /** A streamed upload and its declared size (undefined: sent chunked). */
  upload?: { bytes: number | undefined };
  /** Batch lines are billed, so reserved, at batch prices. */
  batch: boolean;
}

/**
 * What admission reserves: the request's worst case on every deployment it may reach (reachable.ts), at the prices
 * it will be billed at. `tokens` feeds the tpm window; an upload's is 0 (its token count is unknown until vLLM
 * has read the audio, and the byte bound would refuse every upload of a key with a tpm_limit), its cost is bounded.
 */
export function reservationOf(req: ReservationInput, deployments: readonly Deployment[]): { tokens: number; nanos: number } {
  if (req.upload) return { tokens: 0, nanos: worstCaseNanos(deployments, uploadBound(req.upload.bytes, deployments), req.batch) };
  const prompt = maxPromptTokens(req.body);
  const completion = req.endpoint === 'chat' || req.endpoint === 'completion' ? completionTokensOf(req.body, deployments) : 0;
  const bound = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  return { tokens: prompt + completion, nanos: worstCaseNanos(deployments, bound, req.batch) };
}
