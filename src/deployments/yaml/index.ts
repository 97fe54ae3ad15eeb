import { parseBlockDocument } from './block';

export { YamlError } from './scalars';

/**
 * Reads a LiteLLM config.yaml in the Worker without a full YAML library (which alone would double the bundle):
 * the subset configs use — block mappings and sequences, comments, plain and quoted scalars, flow `[...]` and
 * `{...}`, `|` and `>` blocks — with JSON as a special case. Anything else is refused with its line number;
 * `npm run config:push` reads full YAML locally and sends JSON.
 */
export function parseConfigYaml(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Not JSON after all: YAML flow syntax (unquoted keys) is handled below.
    }
  }
  return parseBlockDocument(text);
}
