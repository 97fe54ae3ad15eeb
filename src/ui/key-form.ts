import type { KeyView } from '../keys/key-record';

/**
 * Dashboard key forms → the /key/* API's own input shapes, so the dashboard and the API share one validation.
 * For creation an empty field means "not set"; when editing it means "no limit" (null), and models "all".
 */
const NUMBERS = ['max_budget', 'rpm_limit', 'tpm_limit', 'max_parallel_requests'] as const;
const TEXTS = ['key_alias', 'budget_duration', 'user_id', 'team_id'] as const;

function number(text: string): number | string {
  const n = Number(text);
  // A non-number stays text so validation names the field ("expected number, received string").
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export function keyInput(form: Record<string, string>, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of NUMBERS) {
    const v = (form[name] ?? '').trim();
    if (v !== '') out[name] = number(v);
    else if (editing) out[name] = null;
  }
  for (const name of TEXTS) {
    const v = (form[name] ?? '').trim();
    if (v !== '') out[name] = v;
    else if (editing) out[name] = null;
  }
  const models = (form.models ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  if (models.length || editing) out.models = models;
  const duration = (form.duration ?? '').trim();
  if (duration === 'never') out.duration = editing ? '-1' : null;
  else if (duration !== '' && duration !== 'keep') out.duration = duration;
  return out;
}

export function keyStatus(k: KeyView, now = Date.now()): 'active' | 'blocked' | 'expired' {
  if (k.blocked) return 'blocked';
  if (k.expires && Date.parse(k.expires) <= now) return 'expired';
  return 'active';
}
