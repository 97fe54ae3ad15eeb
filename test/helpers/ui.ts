import { exports } from 'cloudflare:workers';
import { MASTER_KEY } from './gateway';

/** A browser-like session against the dashboard: keeps the cookie, reads the CSRF token from pages. */
export class UiSession {
  cookie = '';

  static async signIn(key = MASTER_KEY): Promise<{ session: UiSession; res: Response }> {
    const session = new UiSession();
    const res = await session.post('/ui/login', { master_key: key, next: '/ui/keys' }, false);
    const set = res.headers.get('set-cookie') ?? '';
    session.cookie = set.split(';')[0] ?? '';
    return { session, res };
  }

  get(path: string): Promise<Response> {
    return exports.default.fetch(new Request(`http://gateway.test${path}`, { headers: { cookie: this.cookie }, redirect: 'manual' }));
  }

  async csrf(path = '/ui/keys'): Promise<string> {
    const html = await (await this.get(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error(`no CSRF token on ${path}`);
    return match[1]!;
  }

  async post(path: string, fields: Record<string, string>, withCsrf = true, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams(fields);
    if (withCsrf && !('_csrf' in fields)) body.set('_csrf', await this.csrf());
    return exports.default.fetch(
      new Request(`http://gateway.test${path}`, {
        method: 'POST',
        body,
        headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        redirect: 'manual',
      }),
    );
  }
}
