import type { z } from './zod';
import { invalidRequest } from './errors';

type Path = ReadonlyArray<PropertyKey>;

function formatPath(prefix: string, path: Path): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Validates with zod and turns the first problem into a 400 naming the field (`param`) and what is wrong. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let path = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...issue.path, issue.keys[0]!];
    message = issue.keys.length > 1 ? `unknown fields ${issue.keys.join(', ')}` : 'unknown field';
  } else if (issue.code === 'invalid_type' && message.endsWith('received undefined')) {
    message = 'is required';
  }
  message = message.replace(/^Invalid input: /, '');
  const where = formatPath(prefix, path);
  throw invalidRequest(where ? `${where}: ${message}` : message, where || null);
}
