/**
 * zod's tree-shakable build, with only the English messages: the classic build carries every locale and would
 * be most of the Worker's bundle. Schemas import this module as a namespace (`import * as z`), which keeps
 * esbuild able to drop what they do not use.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
