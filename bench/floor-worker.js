// The floor for a Worker that asks a Durable Object about every request, as the gateway must for a virtual key
// (revocation takes effect on the very next request, so a key's live state is checked in its object each time):
// the pass-through plus one empty RPC. Whatever a key's admission costs beyond this is the gateway's own code.
import { DurableObject } from 'cloudflare:workers';

export class Floor extends DurableObject {
  ping() {
    return true;
  }
}

export default {
  async fetch(request, env) {
    await env.FLOOR.get(env.FLOOR.idFromName('key')).ping();
    const url = new URL(request.url);
    return fetch(env.UPSTREAM_URL + url.pathname + url.search, request);
  },
};
