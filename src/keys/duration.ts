/**
 * LiteLLM durations: "30s", "30m", "30h", "30d", "2w" and "1mo" (calendar months). Used for key expiry and for
 * budget windows.
 */
export interface Duration {
  amount: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'mo';
}

const PATTERN = /^(\d{1,6})(s|m|h|d|w|mo)$/;

export function parseDuration(text: string): Duration | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match || Number(match[1]) <= 0) return undefined;
  return { amount: Number(match[1]), unit: match[2] as Duration['unit'] };
}

export const DURATION_HINT = 'a duration like "30s", "30m", "30h", "30d", "2w" or "1mo"';

const SECONDS: Record<Exclude<Duration['unit'], 'mo'>, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `from` plus the duration; months are calendar months, clamped to the last day of a shorter month. */
export function addDuration(from: number, d: Duration): number {
  if (d.unit !== 'mo') return from + d.amount * SECONDS[d.unit] * 1000;
  const date = new Date(from);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + d.amount);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}
