import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { GatewayError } from '../http/errors';
import { validate } from '../http/validate';
import { listKeys } from '../keys/key-listing';
import type { KeyView } from '../keys/key-record';
import { generateKeySchema, updateKeySchema } from '../keys/key-schemas';
import { deleteKeys, generateKey, regenerateKey, setBlocked, updateKey, viewKey } from '../keys/key-service';
import { keyInput } from './key-form';
import { page } from './middleware';
import { KeyDeletePage, KeyEditPage, KeysPage, SecretPage } from './pages/keys';

const PAGE_SIZE = 50;

async function keysPage(c: Context<AppEnv>, extra: { error?: string; values?: Record<string, string> } = {}) {
  const pageNo = Math.max(1, Number(c.req.query('page') ?? 1) || 1);
  const list = await listKeys(c.env, { page: pageNo, size: PAGE_SIZE, return_full_object: true });
  return c.html(
    <KeysPage csrf={c.get('csrf')} keys={list.keys as KeyView[]} total={list.total_count} page={pageNo} pages={list.total_pages} {...extra} />,
    extra.error ? 400 : 200,
  );
}

/** A problem the operator can fix in the form is shown on the page; anything else is the app's error handler's. */
function formError(err: unknown): string {
  if (err instanceof GatewayError && err.kind === 'invalid_request') return err.message;
  throw err;
}

async function known(c: Context<AppEnv>): Promise<KeyView | Response> {
  const hash = c.req.param('hash') ?? '';
  if (!/^[0-9a-f]{64}$/.test(hash)) return page(c, 404, 'No such key', 'This key does not exist.');
  try {
    return await viewKey(c.env, hash);
  } catch {
    return page(c, 404, 'No such key', 'This key does not exist (it may have been deleted or regenerated).');
  }
}

/** Keys: list, create (plaintext shown once), edit, block/unblock, regenerate, delete. */
export function keyRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/keys', (c) => keysPage(c));

  app.post('/keys', async (c) => {
    const form = c.get('form');
    try {
      const input = validate(generateKeySchema, keyInput(form, false));
      const { plaintext, view } = await generateKey(c.env, input);
      return c.html(<SecretPage csrf={c.get('csrf')} title="Key created" plaintext={plaintext} view={view} />);
    } catch (err) {
      return keysPage(c, { error: formError(err), values: form });
    }
  });

  app.get('/keys/:hash', async (c) => {
    const view = await known(c);
    return view instanceof Response ? view : c.html(<KeyEditPage csrf={c.get('csrf')} view={view} />);
  });

  app.post('/keys/:hash', async (c) => {
    const view = await known(c);
    if (view instanceof Response) return view;
    const form = c.get('form');
    try {
      const { key: _key, ...settings } = validate(updateKeySchema, { ...keyInput(form, true), key: view.token });
      await updateKey(c.env, view.token, settings);
      return c.redirect('/ui/keys', 303);
    } catch (err) {
      return c.html(<KeyEditPage csrf={c.get('csrf')} view={view} error={formError(err)} values={form} />, 400);
    }
  });

  for (const action of ['block', 'unblock'] as const) {
    app.post(`/keys/:hash/${action}`, async (c) => {
      const view = await known(c);
      if (view instanceof Response) return view;
      await setBlocked(c.env, view.token, action === 'block');
      return c.redirect('/ui/keys', 303);
    });
  }

  app.post('/keys/:hash/regenerate', async (c) => {
    const view = await known(c);
    if (view instanceof Response) return view;
    const { plaintext, view: fresh } = await regenerateKey(c.env, view.token, {});
    return c.html(<SecretPage csrf={c.get('csrf')} title="Key regenerated" plaintext={plaintext} view={fresh} />);
  });

  app.get('/keys/:hash/delete', async (c) => {
    const view = await known(c);
    return view instanceof Response ? view : c.html(<KeyDeletePage csrf={c.get('csrf')} view={view} />);
  });

  app.post('/keys/:hash/delete', async (c) => {
    const view = await known(c);
    if (view instanceof Response) return view;
    await deleteKeys(c.env, [view.token], []);
    return c.redirect('/ui/keys', 303);
  });
  return app;
}
