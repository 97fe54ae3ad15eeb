import type { KeyView } from '../../keys/key-record';
import { keyStatus } from '../key-form';
import { ActionForm, Layout, Notice } from '../layout';
import { KeyFields } from './key-fields';

const money = (n: number | null) => (n === null ? '—' : `$${n.toFixed(n < 1 ? 6 : 2)}`);
const limit = (n: number | null) => (n === null ? '—' : String(n));

export function KeysPage(props: { csrf: string; keys: KeyView[]; total: number; page: number; pages: number; error?: string; values?: Record<string, string> }) {
  return (
    <Layout title="Keys" section="keys" csrf={props.csrf}>
      <h1>Virtual keys</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <details open={props.error ? true : undefined}>
        <summary>
          <strong>Create a key</strong>
        </summary>
        <form method="post" action="/ui/keys">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <KeyFields values={props.values} />
          <p>
            <button class="primary" type="submit">
              Create key
            </button>
          </p>
        </form>
      </details>
      <h2>
        {props.total} key{props.total === 1 ? '' : 's'}
      </h2>
      <table>
        <caption class="sr-only">Virtual keys, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Alias</th>
            <th scope="col">Key</th>
            <th scope="col">Models</th>
            <th scope="col" class="num">RPM</th>
            <th scope="col" class="num">TPM</th>
            <th scope="col" class="num">Parallel</th>
            <th scope="col" class="num">Budget</th>
            <th scope="col" class="num">Spend</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => {
            const status = keyStatus(k);
            return (
              <tr data-key={k.token}>
                <td>{k.key_alias ?? <span class="hint">none</span>}</td>
                <td class="mono">{k.key_name}</td>
                <td>{k.models.length ? k.models.join(', ') : <span class="hint">all</span>}</td>
                <td class="num">{limit(k.rpm_limit)}</td>
                <td class="num">{limit(k.tpm_limit)}</td>
                <td class="num">{limit(k.max_parallel_requests)}</td>
                <td class="num">
                  {money(k.max_budget)}
                  {k.budget_duration ? <span class="hint"> / {k.budget_duration}</span> : null}
                </td>
                <td class="num" data-spend>
                  {money(k.spend)}
                </td>
                <td>{k.expires ? new Date(k.expires).toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td>
                <td class={`status-${status}`} data-status>
                  {status}
                </td>
                <td>
                  <div class="actions">
                    <a class="button" href={`/ui/keys/${k.token}`} aria-label={`Edit ${k.key_alias ?? k.key_name}`}>
                      Edit
                    </a>
                    <ActionForm action={`/ui/keys/${k.token}/${k.blocked ? 'unblock' : 'block'}`} csrf={props.csrf} label={k.blocked ? 'Unblock' : 'Block'} />
                    <ActionForm action={`/ui/keys/${k.token}/regenerate`} csrf={props.csrf} label="Regenerate" />
                    <a class="button danger" href={`/ui/keys/${k.token}/delete`}>
                      Delete
                    </a>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.pages > 1 ? (
        <nav aria-label="Pages">
          {props.page > 1 ? <a href={`/ui/keys?page=${props.page - 1}`}>Previous</a> : null} Page {props.page} of {props.pages}{' '}
          {props.page < props.pages ? <a href={`/ui/keys?page=${props.page + 1}`}>Next</a> : null}
        </nav>
      ) : null}
    </Layout>
  );
}

/** The plaintext key, shown once, with a copy button (the only place a key is ever shown). */
export function SecretPage(props: { csrf: string; title: string; plaintext: string; view: KeyView }) {
  return (
    <Layout title={props.title} section="keys" csrf={props.csrf}>
      <h1>{props.title}</h1>
      <Notice kind="success">
        <p>Copy this key now: it is shown only once and stored only as a hash.</p>
        <div class="secret">
          <code id="new-key">{props.plaintext}</code>
          <button type="button" data-copy="new-key">
            Copy
          </button>
        </div>
      </Notice>
      <p>
        Alias: {props.view.key_alias ?? 'none'} · Models: {props.view.models.length ? props.view.models.join(', ') : 'all'}
      </p>
      <p>
        <a href="/ui/keys">Back to keys</a>
      </p>
    </Layout>
  );
}

export function KeyEditPage(props: { csrf: string; view: KeyView; error?: string; values?: Record<string, string> }) {
  return (
    <Layout title="Edit key" section="keys" csrf={props.csrf}>
      <h1>
        Edit key <span class="mono">{props.view.key_name}</span>
      </h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <p>
        Spend so far: ${props.view.spend} {props.view.budget_reset_at ? `(budget resets ${props.view.budget_reset_at})` : ''}
      </p>
      <form method="post" action={`/ui/keys/${props.view.token}`}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <KeyFields values={props.values} editing current={props.view} />
        <p>
          <button class="primary" type="submit">
            Save
          </button>{' '}
          <a href="/ui/keys">Cancel</a>
        </p>
      </form>
    </Layout>
  );
}

export function KeyDeletePage(props: { csrf: string; view: KeyView }) {
  return (
    <Layout title="Delete key" section="keys" csrf={props.csrf}>
      <h1>
        Delete key <span class="mono">{props.view.key_name}</span>?
      </h1>
      <p>Requests with this key are refused from the next one on. Its spend log stays readable.</p>
      <ActionForm action={`/ui/keys/${props.view.token}/delete`} csrf={props.csrf} label="Delete this key" danger />{' '}
      <a href="/ui/keys">Cancel</a>
    </Layout>
  );
}
