import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import { digestOf, digestsEqual } from '../auth/hash';
import { masterDigest } from '../auth/master-key';
import { Layout, Notice } from './layout';
import { isFormProblem, LOGIN_FORM_BYTES, readForm } from './form';
import { page, requireSession } from './middleware';
import { issueSession, revokeSession, SESSION_COOKIE, SESSION_TTL_S } from './session';

function safeNext(next: string | undefined): string {
  return next && /^\/ui(\/[A-Za-z0-9/_\-.%]*)?$/.test(next) ? next : '/ui/keys';
}

function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in">
      <div class="login">
        <h1>Sign in</h1>
        {props.error ? <Notice kind="error">{props.error}</Notice> : null}
        <form method="post" action="/ui/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="master_key">
            Master key <span class="hint">(the MASTER_KEY secret; it is checked once and never stored in your browser)</span>
          </label>
          <input id="master_key" name="master_key" type="password" autocomplete="off" required autofocus />
          <p>
            <button class="primary" type="submit">
              Sign in
            </button>
          </p>
        </form>
      </div>
    </Layout>
  );
}

export function authRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} />));
  app.post('/login', async (c) => {
    if (!c.env.MASTER_KEY) return page(c, 503, 'Gateway not configured', 'Set the MASTER_KEY secret to use the dashboard.');
    const form = await readForm(c.req.raw, LOGIN_FORM_BYTES);
    if (isFormProblem(form)) return c.html(<LoginPage next={safeNext(undefined)} error={form.message} />, form.status);
    const next = safeNext(form.next);
    const presented = form.master_key ?? '';
    if (!presented || !digestsEqual(await digestOf(presented), await masterDigest(c.env))) {
      return c.html(<LoginPage next={next} error="That is not the master key." />, 401);
    }
    const { cookie } = await issueSession(c.env.MASTER_KEY);
    setCookie(c, SESSION_COOKIE, cookie, { httpOnly: true, secure: true, sameSite: 'Strict', path: '/ui', maxAge: SESSION_TTL_S });
    return c.redirect(next, 303);
  });
  app.post('/logout', requireSession, async (c) => {
    await revokeSession(c.env.GATEWAY_KV, c.get('session'));
    deleteCookie(c, SESSION_COOKIE, { path: '/ui', secure: true });
    return c.redirect('/ui/login', 303);
  });
  return app;
}
