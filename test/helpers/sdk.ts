// The official openai SDK inside workerd, its requests going straight into the gateway's fetch handler.
import { exports } from 'cloudflare:workers';
import OpenAI from 'openai';

export function sdk(apiKey: string): OpenAI {
  return new OpenAI({
    apiKey,
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: (input: string | URL | Request, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  });
}
