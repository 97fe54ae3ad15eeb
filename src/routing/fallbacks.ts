import type { RouterSettings } from '../deployments/schema';

/** LiteLLM's fallback lists: `[{"group-a": ["group-b", "group-c"]}]`, with "*" as the default for every group. */
export function fallbackGroups(list: RouterSettings['fallbacks'], group: string): string[] {
  if (!list) return [];
  for (const entry of list) if (entry[group]) return entry[group]!;
  for (const entry of list) if (entry['*']) return entry['*']!.filter((g) => g !== group);
  return [];
}

/** vLLM's context-length refusal (HTTP 400), which triggers `context_window_fallbacks` instead of an error. */
export function isContextWindowError(status: number, message: string): boolean {
  return status === 400 && /maximum context length|context length|too many tokens|prompt is too long/i.test(message);
}
