// Types for code that runs inside workerd under the vitest plugin. A module file, so `declare module` augments.
import type { Bindings } from '../src/env';
import type * as Main from '../src/index';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The vLLM simulator hub started by test/global-setup.ts. */
    simUrl: string;
  }
}

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof Main;
    }
    interface Env extends Bindings {}
  }
}
