import type { Deployment } from '../deployments/schema';
import type { Usage } from '../upstream/usage';
import { completionTokensOf } from './estimate';

/**
 * The lowest byte rate assumed for uploaded audio: 6 kbit/s. It is the floor of every lossy speech codec vLLM's
 * decoder (libsndfile, through librosa) reads: Opus for speech starts at 6 kbit/s, MP3 at 8, Vorbis and GSM far
 * above; PCM WAV at 8 kHz is 64 kbit/s. So a file of N bytes holds at most N / 750 seconds of audio — whatever else
 * is in the form only makes the bound larger. Files crafted to defeat it (a WAV header claiming a 1 Hz sample rate,
 * minutes of digital silence in a few bytes of FLAC) decode to more: see docs/architecture.md.
 */
export const MIN_AUDIO_BYTES_PER_SECOND = 750;

/**
 * The size assumed for an upload sent without Content-Length (chunked): the largest request body Cloudflare
 * accepts on any plan (Enterprise; Free and Pro stop at 100 MB). At any real price this reserves more than a key's
 * whole budget, so such an upload by a key with a budget is admitted only while nothing else of the key is in
 * flight, and holds the key's other requests until it is booked.
 */
export const MAX_UNSIZED_UPLOAD_BYTES = 500 * 1000 * 1000;

/** vLLM transcribes long audio in windows of this length (Whisper's), each decoded up to the output limit. */
const AUDIO_WINDOW_SECONDS = 30;

/**
 * The most a streamed audio upload of `bytes` (undefined: chunked) can be billed for: seconds of audio at the lowest
 * byte rate, prompt tokens at one per byte (the form's text fields are at most one token a byte, and audio encoders
 * emit at most 50 tokens a second: 15 times fewer than 750 bytes), completion tokens at the output limit per window.
 * The estimate reads only the header: nothing of the upload is buffered or waited for.
 */
export function uploadBound(bytes: number | undefined, deployments: readonly Deployment[]): Usage {
  const size = bytes ?? MAX_UNSIZED_UPLOAD_BYTES;
  const seconds = Math.ceil(size / MIN_AUDIO_BYTES_PER_SECOND);
  const windows = Math.ceil(seconds / AUDIO_WINDOW_SECONDS);
  const completion = completionTokensOf({}, deployments) * windows;
  return { prompt_tokens: size, completion_tokens: completion, total_tokens: size + completion, seconds };
}
