import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { listIndex } from '../keys/kv-index';
import { allSpendLogs } from '../keys/spend-logs';
import { CSS, JS } from './assets';
import { authRoutes } from './auth-routes';
import { batchUiRoutes } from './batch-routes';
import { deploymentRoutes } from './deployment-routes';
import { keyRoutes } from './key-routes';
import { requireSession, uiHeaders } from './middleware';
import { UsagePage } from './pages/usage';
import { usageCharts } from './usage-data';

/**
 * The operator's dashboard at /ui: server-rendered, self-contained, every action a plain form. Everything but the
 * sign-in page and the two static assets needs a session.
 */
export function uiRoutes(): Hono<AppEnv> {
  const ui = new Hono<AppEnv>();
  ui.use('*', uiHeaders);
  ui.get('/app.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
  ui.get('/app.js', (c) => c.body(JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  ui.route('/', authRoutes());
  ui.use('*', requireSession);
  ui.get('/', (c) => c.redirect('/ui/keys', 303));
  ui.route('/', keyRoutes());
  ui.route('/', deploymentRoutes());
  ui.route('/', batchUiRoutes());
  ui.get('/usage', async (c) => {
    const range = c.req.query('range') === '30d' ? '30d' : '24h';
    const [charts, logs, index] = await Promise.all([usageCharts(c.env, range), allSpendLogs(c.env, { limit: 50 }), listIndex(c.env)]);
    const names = new Map(index.map((e) => [e.token, e.key_alias ?? e.key_name]));
    return c.html(<UsagePage csrf={c.get('csrf')} range={range} charts={charts} logs={logs} names={names} />);
  });
  return ui;
}
