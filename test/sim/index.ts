// Public entry of the vLLM simulator (Node side).
export { DEFAULT_SIM_CONFIG, SimConfigError, fullConfig, mergeConfig, parseConfigPatch } from './config';
export { createSimInstance, SimInstance, type SimInstanceOptions } from './instance';
export { startSimHub, type SimHub, type SimHubOptions } from './hub';
export type { SimConfig, SimConfigPatch, SimFormFile, SimInstanceInfo, SimLogEntry, SimSpawned } from './types';
