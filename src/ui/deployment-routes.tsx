import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { deleteDeployment, readConfig, saveDeployments } from '../deployments/config-client';
import { importLitellmConfig, importOptions, parseConfigText } from '../deployments/litellm-config';
import { redact, toDeployment } from '../deployments/normalize';
import { deploymentInputSchema } from '../deployments/schema';
import { GatewayError } from '../http/errors';
import { validate } from '../http/validate';
import { probeAll, type ProbeResult } from '../routing/health-probe';
import { DeploymentsPage, type DeploymentsProps } from './pages/deployments';

async function render(c: Context<AppEnv>, extra: Partial<DeploymentsProps> = {}, status: 200 | 400 = 200) {
  const config = await readConfig(c.env);
  return c.html(
    <DeploymentsPage csrf={c.get('csrf')} deployments={config.deployments.map(redact)} routerSettings={config.router_settings} {...extra} />,
    status,
  );
}

function message(err: unknown): string {
  if (err instanceof GatewayError && (err.kind === 'invalid_request' || err.kind === 'unsupported_media_type')) return err.message;
  throw err;
}

/** Deployments: list (secrets redacted) with on-demand health, add, remove, import a LiteLLM config.yaml. */
export function deploymentRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/deployments', async (c) => {
    if (c.req.query('health') !== '1') return render(c);
    const config = await readConfig(c.env);
    const results = await probeAll(config.deployments, c.env, config.router_settings);
    return render(c, { health: new Map<string, ProbeResult>(results.map((r) => [r.model_id, r])) });
  });

  app.post('/deployments', async (c) => {
    const f = c.get('form');
    const cost = (x: string | undefined) => (x && x.trim() !== '' ? (Number.isFinite(Number(x)) ? Number(x) : x) : undefined);
    const params: Record<string, unknown> = { model: f.model ?? '' };
    if (f.api_base?.trim()) params.api_base = f.api_base.trim();
    if (f.api_key?.trim()) params.api_key = f.api_key.trim();
    const info: Record<string, unknown> = { mode: f.mode || 'chat' };
    for (const name of ['input_cost_per_token', 'output_cost_per_token']) if (cost(f[name]) !== undefined) info[name] = cost(f[name]);
    try {
      const input = validate(deploymentInputSchema, { model_name: f.model_name ?? '', litellm_params: params, model_info: info });
      await saveDeployments(c.env, [toDeployment(input, crypto.randomUUID())]);
      return render(c, { message: `Added a deployment to ${input.model_name}.` });
    } catch (err) {
      const { api_key: _secret, ...values } = f;
      return render(c, { error: message(err), values }, 400);
    }
  });

  app.post('/deployments/import', async (c) => {
    const f = c.get('form');
    try {
      const imported = await importLitellmConfig(parseConfigText(f.config ?? ''));
      const replace = f.replace === 'true';
      await saveDeployments(c.env, imported.deployments, importOptions(imported, replace));
      const ignored = imported.ignored.length ? ` Ignored: ${imported.ignored.join(', ')}.` : '';
      return render(c, { message: `Imported ${imported.deployments.length} deployment(s)${replace ? ', replacing the others' : ''}.${ignored}` });
    } catch (err) {
      return render(c, { error: message(err), values: { config: f.config ?? '' } }, 400);
    }
  });

  // The id travels in the form, not the path: `/deployments/:id/...` beside `/deployments/import` would cost the
  // fast router for every request.
  app.post('/deployments/remove', async (c) => {
    await deleteDeployment(c.env, c.get('form').id ?? '');
    return c.redirect('/ui/deployments', 303);
  });
  return app;
}
