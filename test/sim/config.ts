import type { SimConfig, SimConfigPatch } from './types';

export type { SimConfig, SimConfigPatch } from './types';

export const DEFAULT_SIM_CONFIG: Readonly<SimConfig> = Object.freeze({
  models: ['sim-model'],
  latencyMs: 0,
  chunkDelayMs: 0,
  failNext: 0,
  refuse: false,
  maxModelLen: 4096,
  matryoshkaModels: [],
  embeddingDim: 8,
  version: '0.11.2',
  transcriptionFormats: ['json', 'text'],
});

type Kind = 'string' | 'int' | 'boolean' | 'strings';

// The expected JSON kind of every key; a typo in a test's patch fails loudly instead of being ignored.
const KINDS: Record<keyof SimConfig, Kind> = {
  models: 'strings',
  apiKey: 'string',
  latencyMs: 'int',
  chunkDelayMs: 'int',
  firstChunkDelayMs: 'int',
  status: 'int',
  failNext: 'int',
  failNextStatus: 'int',
  retryAfterSeconds: 'int',
  cutAfterChunks: 'int',
  errorAfterChunks: 'int',
  chunkedJson: 'boolean',
  cutJsonAfterBytes: 'int',
  refuse: 'boolean',
  maxModelLen: 'int',
  matryoshkaModels: 'strings',
  embeddingDim: 'int',
  version: 'string',
  transcriptionFormats: 'strings',
};

export class SimConfigError extends Error {}

export const isHttpStatus = (n: number): boolean => Number.isInteger(n) && n >= 100 && n <= 599;

function isKey(key: string): key is keyof SimConfig {
  return Object.hasOwn(KINDS, key);
}

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value) && (value as number) >= 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

/** Checks an untrusted JSON patch; throws SimConfigError with a readable reason. */
export function parseConfigPatch(input: unknown): SimConfigPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SimConfigError('config patch must be a JSON object');
  }
  for (const [key, value] of Object.entries(input)) {
    if (!isKey(key)) throw new SimConfigError(`unknown config key "${key}"`);
    if (value !== null && !hasKind(value, KINDS[key])) {
      throw new SimConfigError(`config key "${key}" must be ${KINDS[key]} or null`);
    }
  }
  const patch = input as SimConfigPatch;
  if (patch.models?.length === 0) throw new SimConfigError('models must not be empty');
  if (typeof patch.status === 'number' && !isHttpStatus(patch.status)) {
    throw new SimConfigError('status must be an HTTP status code (100-599)');
  }
  return patch;
}

/** Returns a new config: `patch` over `base`, `null` meaning "back to the default". */
export function mergeConfig(base: SimConfig, patch: SimConfigPatch): SimConfig {
  const next: Record<string, unknown> = { ...base };
  const defaults: Partial<Record<keyof SimConfig, unknown>> = DEFAULT_SIM_CONFIG;
  for (const [key, value] of Object.entries(patch)) {
    if (!isKey(key) || value === undefined) continue;
    const fresh = value === null ? defaults[key] : value;
    if (fresh === undefined) delete next[key];
    else next[key] = Array.isArray(fresh) ? [...(fresh as string[])] : fresh;
  }
  return next as unknown as SimConfig;
}

export function fullConfig(patch: SimConfigPatch = {}): SimConfig {
  return mergeConfig(structuredClone(DEFAULT_SIM_CONFIG) as SimConfig, parseConfigPatch(patch));
}
