import type { TestProject } from 'vitest/node';
import { startSimHub } from './sim/index';

/** Starts the vLLM simulator hub; tests spawn their own instances from it so knobs never leak between files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hub = await startSimHub();
  project.provide('simUrl', hub.url);
  return () => hub.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    simUrl: string;
  }
}
