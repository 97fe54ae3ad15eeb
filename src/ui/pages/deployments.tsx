import type { Deployment, RouterSettings } from '../../deployments/schema';
import type { ProbeResult } from '../../routing/health-probe';
import { ActionForm, Layout, Notice } from '../layout';

export interface DeploymentsProps {
  csrf: string;
  deployments: Deployment[];
  routerSettings: RouterSettings;
  health?: Map<string, ProbeResult>;
  error?: string;
  message?: string;
  values?: Record<string, string>;
}

function where(d: Deployment): string {
  const base = d.litellm_params.api_base;
  if (!base) return 'HOSTED_VLLM_API_BASE';
  if (base.startsWith('os.environ/')) return base;
  try {
    const u = new URL(base);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/$/, '');
  } catch {
    return base;
  }
}

function Health(props: { result: ProbeResult | undefined; checked: boolean }) {
  if (!props.checked) return <span class="hint">not checked</span>;
  if (!props.result) return <span class="hint">—</span>;
  return props.result.error ? <span class="bad">unhealthy: {props.result.error}</span> : <span class="ok">healthy</span>;
}

export function DeploymentsPage(props: DeploymentsProps) {
  const v = props.values ?? {};
  const input = (name: string, label: string, hint = '', type = 'text') => (
    <div>
      <label for={`d-${name}`}>
        {label} <span class="hint">{hint}</span>
      </label>
      <input id={`d-${name}`} name={name} type={type} value={v[name] ?? ''} autocomplete="off" />
    </div>
  );
  return (
    <Layout title="Deployments" section="deployments" csrf={props.csrf}>
      <h1>Deployments</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {props.message ? <Notice kind="success">{props.message}</Notice> : null}
      <p>
        <a class="button" href="/ui/deployments?health=1">
          Check health now
        </a>{' '}
        <span class="hint">probes each server's /health and sends it a one-token request</span>
      </p>
      <table>
        <caption class="sr-only">Deployments by model group</caption>
        <thead>
          <tr>
            <th scope="col">Model group</th>
            <th scope="col">Id</th>
            <th scope="col">Upstream model</th>
            <th scope="col">Server</th>
            <th scope="col">Mode</th>
            <th scope="col" class="num">$/1M in</th>
            <th scope="col" class="num">$/1M out</th>
            <th scope="col">Health</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.deployments.map((d) => {
            const per = (x: number | undefined) => (x === undefined ? '—' : (x * 1e6).toFixed(3));
            return (
              <tr data-deployment={d.model_info.id}>
                <td>{d.model_name}</td>
                <td class="mono">{d.model_info.id}</td>
                <td class="mono">{d.litellm_params.model}</td>
                <td class="mono">{where(d)}</td>
                <td>{d.model_info.mode ?? 'chat'}</td>
                <td class="num">{per(d.litellm_params.input_cost_per_token ?? d.model_info.input_cost_per_token)}</td>
                <td class="num">{per(d.litellm_params.output_cost_per_token ?? d.model_info.output_cost_per_token)}</td>
                <td>
                  <Health result={props.health?.get(d.model_info.id)} checked={props.health !== undefined} />
                </td>
                <td>
                  <ActionForm action="/ui/deployments/remove" csrf={props.csrf} label="Remove" danger>
                    <input type="hidden" name="id" value={d.model_info.id} />
                  </ActionForm>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Router settings</h2>
      <pre class="mono">{JSON.stringify(props.routerSettings, null, 2)}</pre>
      <h2>Add a deployment</h2>
      <form method="post" action="/ui/deployments">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <div class="grid">
          {input('model_name', 'Model group', '(what clients ask for)')}
          {input('model', 'Upstream model', '(hosted_vllm/<served name>)')}
          {input('api_base', 'api_base', '(empty: HOSTED_VLLM_API_BASE)')}
          {input('api_key', 'api_key', '(prefer os.environ/NAME)', 'password')}
          <div>
            <label for="d-mode">Mode</label>
            <select id="d-mode" name="mode">
              {['chat', 'completion', 'embedding', 'rerank', 'audio_transcription'].map((m) => (
                <option value={m} selected={v.mode === m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          {input('input_cost_per_token', 'Input $/token', '', 'text')}
          {input('output_cost_per_token', 'Output $/token', '', 'text')}
        </div>
        <p>
          <button class="primary" type="submit">
            Add deployment
          </button>
        </p>
      </form>
      <h2>Import a LiteLLM config.yaml</h2>
      <form method="post" action="/ui/deployments/import">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label for="d-config">config.yaml</label>
        <textarea id="d-config" name="config" spellcheck={false}>
          {v.config ?? ''}
        </textarea>
        <p>
          <label>
            <input class="check" type="checkbox" name="replace" value="true" /> Replace all deployments with this file
          </label>
        </p>
        <p>
          <button class="primary" type="submit">
            Import
          </button>
        </p>
      </form>
    </Layout>
  );
}
