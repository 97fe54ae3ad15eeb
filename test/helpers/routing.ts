import { call, simDeployment } from './gateway';

export const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'a b c d' }],
  ...extra,
});

/** Replaces the router settings (the tests reset them to {} after each test). */
export async function routerSettings(settings: Record<string, unknown>): Promise<void> {
  const res = await call('/config/import', { method: 'POST', json: { model_list: [], router_settings: settings } });
  if (res.status !== 200) throw new Error(`router_settings: ${res.status} ${await res.text()}`);
}

/** Two deployments in one group: a good one and one with the given fault. */
export async function pair(bad: Parameters<typeof simDeployment>[0]) {
  const good = await simDeployment();
  const broken = await simDeployment({ ...bad, group: good.group });
  return { group: good.group, good, broken };
}
