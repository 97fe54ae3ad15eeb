// What `npm start` prints once the gateway is up: where it is, a key, and two ways to call it.
export function printWelcome(o: { url: string; demoKey: string; upstream: string }): void {
  const body = '{"model":"demo","messages":[{"role":"user","content":"Hello from the edge"}]}';
  console.log(`
──────────────────────────────────────────────────────────────────────────────
 vLLM edge gateway is running at ${o.url}
 Upstream:    ${o.upstream}
 Model group: demo
 Demo key:    ${o.demoKey}
 Dashboard:   ${o.url}/ui  (sign in with MASTER_KEY from .dev.vars)
 Master key:  MASTER_KEY in .dev.vars (admin API: /key/*, /model/*, /config/import)

 curl:
   curl ${o.url}/v1/chat/completions \\
     -H "Authorization: Bearer ${o.demoKey}" \\
     -H "Content-Type: application/json" \\
     -d '${body}'

 openai SDK (Node):
   import OpenAI from 'openai';
   const client = new OpenAI({ baseURL: '${o.url}/v1', apiKey: '${o.demoKey}' });
   const r = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }] });
   console.log(r.choices[0].message.content);

 openai SDK (Python):
   from openai import OpenAI
   client = OpenAI(base_url="${o.url}/v1", api_key="${o.demoKey}")
   print(client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "Hello"}]).choices[0].message.content)
──────────────────────────────────────────────────────────────────────────────
`);
}
