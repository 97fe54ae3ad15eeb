import { envString, type Bindings } from '../env';
import { GatewayError } from '../http/errors';

const ENV_PREFIX = 'os.environ/';

export const isEnvRef = (value: string): boolean => value.startsWith(ENV_PREFIX);

/** Resolves a literal or `os.environ/NAME` value at request time. The error names the variable, never a value. */
export function resolveValue(value: string, env: Bindings, where: string): string {
  if (!isEnvRef(value)) return value;
  const name = value.slice(ENV_PREFIX.length);
  const resolved = envString(env, name);
  if (resolved === undefined) {
    throw new GatewayError('not_configured', `${where} refers to environment variable ${name}, which is not set`);
  }
  return resolved;
}
