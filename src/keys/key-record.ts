/** JSON values: what metadata may hold (and what Durable Object RPC can carry without loss). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A virtual key as its ledger stores it. The plaintext key is never stored: `token` is its sha256 hex. */
export interface KeyRecord {
  token: string;
  /** Stable across regenerations (the hash is not): what files and batches are owned by. */
  key_id: string;
  /** `sk-...` plus the last four characters, for people to recognise a key. */
  key_name: string;
  key_alias: string | null;
  /** Model groups the key may use; empty means all. */
  models: string[];
  max_budget: number | null;
  budget_duration: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  metadata: Record<string, Json>;
  user_id: string | null;
  team_id: string | null;
  /** ISO time, or null for a key that never expires. */
  expires: string | null;
  blocked: boolean;
  created_at: string;
  updated_at: string;
}

/** What admin endpoints show of a key: the record plus live state from the ledger. */
export interface KeyView extends KeyRecord {
  spend: number;
  budget_reset_at: string | null;
}

/** LiteLLM's wildcard entries in a key's model list. */
const ALL_MODELS = new Set(['*', 'all-proxy-models']);

export function allowsModel(models: readonly string[], group: string): boolean {
  return models.length === 0 || models.some((m) => m === group || ALL_MODELS.has(m));
}

export function keyName(plaintext: string): string {
  return `sk-...${plaintext.slice(-4)}`;
}
