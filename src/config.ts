import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isTimeZone } from './shared/i18n.js';

/** The service's configuration, read from the environment once at start and validated. */
const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  PERFPAY_DATA_DIR: Type.String({ minLength: 1, default: './.perfpay' }),
  PERFPAY_BOOTSTRAP_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PERFPAY_QUEUE_NAME: Type.String({ minLength: 1, default: 'perfpay-settlements' }),
  PERFPAY_WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  // How long a BullMQ worker's lock on a job lasts (renewed every half of it while the job runs),
  // and how often workers look for jobs whose lock expired (a worker that died) to run them again.
  // Unset: BullMQ's default, 30 s for both. The crash tests shorten it so recovery takes seconds.
  PERFPAY_JOB_LOCK_MS: Type.Optional(Type.Integer({ minimum: 1000, maximum: 3_600_000, description: "BullMQ lockDuration and stalledInterval, ms; unset: BullMQ's 30000" })),
  PERFPAY_BODY_LIMIT_MB: Type.Integer({ minimum: 1, maximum: 512, default: 50 }),
  PERFPAY_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200 }),
  PERFPAY_CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated origins allowed by CORS; unset: none' })),
  PERFPAY_TRUST_PROXY: Type.Optional(Type.String({ minLength: 1, description: 'proxies whose X-Forwarded-For/-Proto are believed: "true" (all), or comma-separated addresses/CIDRs; unset: none' })),
  PERFPAY_UI_SESSION_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 12, description: 'how long a review-page sign-in lasts' }),
  PERFPAY_TIME_ZONE: Type.String({ minLength: 1, default: 'Asia/Shanghai', description: 'the IANA time zone of times shown on pages, statements and files' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, picked));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length === 0 && !isTimeZone((converted as Config).PERFPAY_TIME_ZONE)) {
    throw new ConfigError(`invalid configuration:\n  PERFPAY_TIME_ZONE: not a time zone this Node knows (an IANA name such as Asia/Shanghai)`);
  }
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.path.slice(1) || 'config'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return converted as Config;
}
