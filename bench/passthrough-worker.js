// The benchmark's baseline Worker: forwards each request to the simulator and returns its Response untouched.
// Whatever the gateway costs beyond this is the gateway's own code, not workerd's or Miniflare's.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    // `request` as the init copies method, headers, body (streamed, not buffered) and the abort signal.
    return fetch(env.UPSTREAM_URL + url.pathname + url.search, request);
  },
};
