import type { KeyView } from '../../keys/key-record';

/** The fields shared by the create and edit key forms, each labelled for screen readers and keyboard use. */
export function KeyFields(props: { values?: Partial<Record<string, string>>; editing?: boolean; current?: KeyView }) {
  const v = props.values ?? {};
  const field = (name: string, label: string, hint: string, type = 'text', fallback = '') => (
    <div>
      <label for={`f-${name}`}>
        {label} <span class="hint">{hint}</span>
      </label>
      <input id={`f-${name}`} name={name} type={type} value={v[name] ?? fallback} inputmode={type === 'number' ? 'decimal' : undefined} step={type === 'number' ? 'any' : undefined} />
    </div>
  );
  const k = props.current;
  const str = (x: number | string | null | undefined) => (x === null || x === undefined ? '' : String(x));
  return (
    <div class="grid">
      {field('key_alias', 'Alias', '(unique)', 'text', str(k?.key_alias))}
      {field('models', 'Models', '(comma-separated; empty = all)', 'text', k?.models.join(', ') ?? '')}
      {field('max_budget', 'Max budget (USD)', '', 'number', str(k?.max_budget))}
      {field('budget_duration', 'Budget resets every', '(30s, 30m, 30h, 30d, 1mo)', 'text', str(k?.budget_duration))}
      {field('rpm_limit', 'Requests / minute', '', 'number', str(k?.rpm_limit))}
      {field('tpm_limit', 'Tokens / minute', '', 'number', str(k?.tpm_limit))}
      {field('max_parallel_requests', 'Parallel requests', '', 'number', str(k?.max_parallel_requests))}
      {field('user_id', 'User id', '', 'text', str(k?.user_id))}
      {field('team_id', 'Team id', '', 'text', str(k?.team_id))}
      <div>
        <label for="f-duration">
          Expires <span class="hint">(a duration from now, or never)</span>
        </label>
        <input id="f-duration" name="duration" list="durations" value={v.duration ?? (props.editing ? 'keep' : '')} />
        <datalist id="durations">
          {props.editing ? <option value="keep" /> : null}
          <option value="never" />
          <option value="30d" />
          <option value="1mo" />
          <option value="24h" />
        </datalist>
      </div>
    </div>
  );
}
