import { envString, type Bindings } from '../env';
import { GatewayError } from '../http/errors';

const ENV_PREFIX = 'os.environ/';

export const isEnvRef = (value: string): boolean => value.startsWith(ENV_PREFIX);

/** The variable holding the master key: a deployment may not name it (it would go upstream as a Bearer token). */
export const MASTER_KEY_VAR = 'MASTER_KEY';

export const refersToMasterKey = (value: string): boolean => value.trim() === ENV_PREFIX + MASTER_KEY_VAR;


/** Resolves a literal or `os.environ/NAME` value at request time. The error names the variable, never a value. */
export function resolveValue(value: string, env: Bindings, where: string): string {
  if (!isEnvRef(value)) return value;
  const name = value.slice(ENV_PREFIX.length);
  // Refused when a deployment is added too; this guards records stored before that check.
  if (name === MASTER_KEY_VAR) throw new GatewayError('not_configured', `${where} refers to ${MASTER_KEY_VAR}, which is never sent upstream`);
  const resolved = envString(env, name);
  if (resolved === undefined) {
    throw new GatewayError('not_configured', `${where} refers to environment variable ${name}, which is not set`);
  }
  return resolved;
}
