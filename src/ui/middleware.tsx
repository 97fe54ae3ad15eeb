import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import { isFormProblem, MAX_FORM_BYTES, readForm } from './form';
import { Layout } from './layout';
import { csrfToken, csrfValid, isRevoked, readSession, SESSION_COOKIE } from './session';

/** No scripts or styles but the dashboard's own, no framing, nothing cached. */
export const uiHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.set(
    'content-security-policy',
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  c.res.headers.set('x-frame-options', 'DENY');
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'no-referrer');
  c.res.headers.set('cache-control', 'no-store');
};

export function page(c: Context<AppEnv>, status: 200 | 400 | 403 | 404 | 413 | 503, title: string, message: string): Response | Promise<Response> {
  return c.html(
    <Layout title={title}>
      <div class="login">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/ui/login">Sign in</a>
        </p>
      </div>
    </Layout>,
    status,
  );
}

/**
 * Every /ui page except sign-in: a valid session or a redirect to sign-in (GET) / a refusal (POST). Every POST
 * must also carry the session's CSRF token and, when the browser says where it comes from, come from this site.
 */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const master = c.env.MASTER_KEY;
  if (!master) return page(c, 503, 'Gateway not configured', 'Set the MASTER_KEY secret to use the dashboard.');
  const signed = await readSession(master, getCookie(c, SESSION_COOKIE));
  const session = signed && !(await isRevoked(c.env.GATEWAY_KV, signed)) ? signed : undefined;
  const isPost = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  if (!session) {
    if (!isPost) return c.redirect(`/ui/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    return page(c, 403, 'Not signed in', 'Your session has ended. Sign in again, then repeat the action.');
  }
  c.set('session', session);
  c.set('csrf', await csrfToken(master, session));
  if (isPost) {
    // The browser's own verdict on where the form came from; unlike comparing Origin with the request URL, it
    // holds behind proxies that rewrite the URL (wrangler dev does). The CSRF token below is checked regardless.
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return page(c, 403, 'Refused', 'This form was sent from another site.');
    const form = await readForm(c.req.raw, MAX_FORM_BYTES);
    if (isFormProblem(form)) return page(c, form.status, form.status === 413 ? 'Too large' : 'Unreadable form', form.message);
    if (!(await csrfValid(master, session, form._csrf))) {
      return page(c, 403, 'Refused', 'This form has expired or did not come from the dashboard. Reload the page and try again.');
    }
    c.set('form', form);
  }
  await next();
};
