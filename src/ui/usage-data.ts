import type { Bindings } from '../env';
import { listIndex } from '../keys/kv-index';
import { ledger } from '../keys/ledger-client';
import { ledgersSince, unlisted } from '../keys/ledger-activity';
import type { Series } from './chart';

export type Range = '24h' | '30d';

const SHAPE: Record<Range, { buckets: number; ms: number }> = {
  '24h': { buckets: 24, ms: 3600_000 },
  '30d': { buckets: 30, ms: 86_400_000 },
};
const TOP = 6;

export interface UsageCharts {
  buckets: string[];
  byKey: Series[];
  byGroup: Series[];
  total: number;
}

/** Spend per key and per model group over the range, from every ledger's spend log (master traffic included). */
export async function usageCharts(env: Bindings, range: Range, now = Date.now()): Promise<UsageCharts> {
  const { buckets, ms } = SHAPE[range];
  const start = Math.floor(now / ms) * ms - (buckets - 1) * ms;
  const index = await listIndex(env);
  const all = [{ name: 'master', user: '', label: 'master key' }, ...index.map((e) => ({ name: e.token, user: '', label: e.key_alias ?? e.key_name }))];
  const { ledgers: names, activity } = await ledgersSince(env, all, start);
  const rows = await Promise.all(names.map(({ name }) => ledger(env, name).usage(start, ms, unlisted(activity, name))));
  const byKey = new Map<string, number[]>();
  const byGroup = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, label: string, slot: number, spend: number): void => {
    const values = map.get(label) ?? new Array<number>(buckets).fill(0);
    values[slot] = (values[slot] ?? 0) + spend;
    map.set(label, values);
  };
  let total = 0;
  rows.forEach((buckets_, i) => {
    for (const b of buckets_) {
      const slot = Math.round((b.t - start) / ms);
      if (slot < 0 || slot >= buckets) continue;
      add(byKey, names[i]!.label, slot, b.spend);
      add(byGroup, b.model_group, slot, b.spend);
      total += b.spend;
    }
  });
  const label = (i: number): string => {
    const d = new Date(start + i * ms);
    return range === '24h' ? `${String(d.getUTCHours()).padStart(2, '0')}:00` : d.toISOString().slice(5, 10);
  };
  return { buckets: Array.from({ length: buckets }, (_, i) => label(i)), byKey: top(byKey), byGroup: top(byGroup), total };
}

/** The biggest series by name, the rest summed as "other", so a chart stays readable. */
function top(map: Map<string, number[]>): Series[] {
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const sorted = [...map].map(([label, values]) => ({ label, values })).sort((a, b) => sum(b.values) - sum(a.values));
  if (sorted.length <= TOP) return sorted;
  const rest = sorted.slice(TOP - 1);
  const other = rest[0]!.values.map((_, i) => rest.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  return [...sorted.slice(0, TOP - 1), { label: `${rest.length} others`, values: other }];
}
