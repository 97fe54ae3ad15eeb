/** The OpenAI/vLLM operations the gateway proxies, with the upstream path each one goes to. */
export type Endpoint = 'chat' | 'completion' | 'embedding' | 'rerank' | 'transcription';

export const UPSTREAM_PATH: Record<Endpoint, string> = {
  chat: '/v1/chat/completions',
  completion: '/v1/completions',
  embedding: '/v1/embeddings',
  // vLLM serves /rerank, /v1/rerank and /v2/rerank alike; /rerank exists on every version.
  rerank: '/rerank',
  transcription: '/v1/audio/transcriptions',
};
