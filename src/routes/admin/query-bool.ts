import * as z from '../../http/zod';

const TRUE = new Set(['true', '1', 'yes', 'y', 'on', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off', 'f']);

/**
 * A boolean query parameter read the way LiteLLM's FastAPI (pydantic) reads one — `true`/`True`/`1`/`yes`/`on`…
 * and `false`/`False`/`0`/`no`/`off`…, any case — so LiteLLM scripts' `?summarize=False` means what it says.
 */
export const queryBool = z.pipe(
  z.string().check(
    z.refine((v) => TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()), 'must be a boolean (true/false, 1/0, yes/no)'),
  ),
  z.transform((v: string) => TRUE.has(v.toLowerCase())),
);
