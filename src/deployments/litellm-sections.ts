import * as z from '../http/zod';
import { invalidRequest } from '../http/errors';
import { validate } from '../http/validate';
import { routerSettingsSchema, type RouterSettings } from './schema';

/**
 * The top level of a LiteLLM config.yaml. A misspelled section (`model_lsit:`) must not import nothing and answer
 * 200 (with replace=true it emptied the routing table), so only LiteLLM's own sections are accepted.
 */
const READ_SECTIONS = ['model_list', 'router_settings', 'litellm_settings'];
/** Proxy-server, logging and environment settings: nothing for the gateway to apply, reported as ignored. */
const IGNORED_SECTIONS = ['general_settings', 'environment_variables'];

export function checkSections(config: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(config)) {
    if (key === 'include') {
      throw invalidRequest(
        'include: this endpoint cannot read the included files; push the config with `npm run config:push -- config.yaml`, which inlines them',
        'include',
      );
    }
    if (key === 'credential_list') {
      throw invalidRequest(
        "credential_list is not supported: set api_key (os.environ/NAME) and api_base in each model_list entry's litellm_params",
        'credential_list',
      );
    }
    if (!READ_SECTIONS.includes(key) && !IGNORED_SECTIONS.includes(key)) {
      throw invalidRequest(
        `unknown top-level key "${key}": a LiteLLM config has ${[...READ_SECTIONS, ...IGNORED_SECTIONS].join(', ')}`,
        key,
      );
    }
  }
}

/** Sections present in the file that nothing is read from. */
export function ignoredSections(config: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(config).filter((k) => IGNORED_SECTIONS.includes(k));
}

/** litellm_settings keys LiteLLM's Router uses when router_settings leaves them unset (key here → router setting). */
const ROUTER_KEYS_IN_LITELLM_SETTINGS = {
  num_retries: 'num_retries',
  request_timeout: 'timeout',
  fallbacks: 'fallbacks',
  context_window_fallbacks: 'context_window_fallbacks',
  allowed_fails: 'allowed_fails',
} as const satisfies Record<string, keyof RouterSettings>;

/** LiteLLM's multi-instance state store: every Worker isolate already shares the gateway's state. */
const REDIS_KEYS = ['redis_host', 'redis_port', 'redis_password', 'redis_url'];

const defaultFallbacks = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

function mapping(value: unknown, section: string): Record<string, unknown> {
  // A section whose keys are all commented out is YAML null: empty, not an error.
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${section}: expected a mapping`, section);
  return value as Record<string, unknown>;
}

/**
 * The router settings a file sets: router_settings, over the router keys LiteLLM also reads from litellm_settings
 * (`default_fallbacks` becomes a `"*"` fallback, as in LiteLLM's Router). Undefined when the file sets none.
 */
export function fileRouterSettings(
  config: Readonly<Record<string, unknown>>,
  ignored: string[],
): RouterSettings | undefined {
  const litellm = mapping(config.litellm_settings, 'litellm_settings');
  const fromLitellm: Record<string, unknown> = {};
  const unused: string[] = [];
  for (const [key, value] of Object.entries(litellm)) {
    const target = (ROUTER_KEYS_IN_LITELLM_SETTINGS as Record<string, keyof RouterSettings>)[key];
    if (value === null || (target === undefined && key !== 'default_fallbacks')) {
      unused.push(key);
    } else if (target !== undefined) {
      // Validated under its own name so an error says `litellm_settings.request_timeout`.
      fromLitellm[target] = validate(z.object({ [key]: routerSettingsSchema.shape[target] }), { [key]: value }, 'litellm_settings')[key];
    }
  }
  if ('litellm_settings' in config) {
    const applied = Object.keys(litellm).length - unused.length;
    ignored.push(...(applied === 0 ? ['litellm_settings'] : unused.map((k) => `litellm_settings.${k}`)));
  }

  const routerRaw = mapping(config.router_settings, 'router_settings');
  const router: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(routerRaw)) {
    if (REDIS_KEYS.includes(key)) ignored.push(`router_settings.${key}`);
    else if (value !== null && key !== 'default_fallbacks') router[key] = value;
  }
  const fromRouter = validate(routerSettingsSchema, router, 'router_settings');

  // LiteLLM's Router takes default_fallbacks from either section, router_settings first.
  const [defaults, where] =
    routerRaw.default_fallbacks != null
      ? [routerRaw.default_fallbacks, 'router_settings.default_fallbacks']
      : [litellm.default_fallbacks, 'litellm_settings.default_fallbacks'];
  if (!('router_settings' in config) && Object.keys(fromLitellm).length === 0 && defaults == null) return undefined;
  const settings: RouterSettings = { ...(fromLitellm as RouterSettings), ...fromRouter };
  if (defaults != null) {
    const groups = validate(defaultFallbacks, defaults, where);
    settings.fallbacks = [...(settings.fallbacks ?? []), { '*': groups }];
  }
  return settings;
}
