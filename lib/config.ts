/**
 * Configuration from `SSVIRT_*` environment variables, validated with valibot at start.
 * A bad value stops the start with a message naming the variable.
 */
import * as v from 'valibot';
import { dirname, join, delimiter } from 'node:path';
import { accessSync, statSync, constants as fsc } from 'node:fs';
import { isProxySpec } from './auth/client-address.ts';

const bool = (def: boolean) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.trim(),
    v.toLowerCase(),
    v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
    v.transform((s) => s === 'true' || s === '1' || s === 'yes'),
  );

const int = (def: number, min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.trim(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const list = (def: string) =>
  v.pipe(
    v.optional(v.string(), def),
    v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  );

const str = (def: string) => v.pipe(v.optional(v.string(), def), v.trim());

export const ConfigSchema = v.object({
  SSVIRT_PORT: int(8080, 0, 65535),
  SSVIRT_METRICS_PORT: int(9464, 0, 65535),
  SSVIRT_MAX_IN_FLIGHT: int(256, 1, 100_000),
  SSVIRT_MAX_LAG_MS: int(60, 0, 60_000),
  SSVIRT_METRICS_TOKEN: v.optional(v.pipe(v.string(), v.trim(), v.minLength(16, 'must be at least 16 characters'))),
  SSVIRT_HOST: str('0.0.0.0'),
  SSVIRT_DB_PATH: v.pipe(str('./data/ssvirt.db'), v.minLength(1, 'must not be empty')),
  SSVIRT_ADMIN_USERNAME: v.pipe(str('admin'), v.regex(/^[A-Za-z0-9._@-]{1,128}$/, 'must be 1..128 letters, digits, . _ - @')),
  SSVIRT_ADMIN_PASSWORD: v.optional(v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'))),
  SSVIRT_KUBECONFIG: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'))),
  SSVIRT_TEMPLATE_NAMESPACES: list('openshift'),
  SSVIRT_TEMPLATE_SELECTOR: str(''),
  SSVIRT_VDC_NETWORK_ISOLATION: bool(true),
  SSVIRT_CPU_MHZ_PER_CORE: int(1000, 1, 1_000_000),
  SSVIRT_SESSION_IDLE_MINUTES: int(30, 1, 7 * 24 * 60),
  SSVIRT_SESSION_MAX_HOURS: int(24, 1, 24 * 365),
  SSVIRT_CORS_ORIGINS: list(''),
  SSVIRT_SITE_NAME: str('SSVirt'),
  SSVIRT_LOG_LEVEL: v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'must be one of fatal, error, warn, info, debug, trace, silent'),
  SSVIRT_TASK_TIMEOUT_SECONDS: int(600, 1, 86_400),
  SSVIRT_RECONCILE_INTERVAL_SECONDS: int(60, 1, 86_400),
  SSVIRT_KUBE_TIMEOUT_SECONDS: int(10, 1, 300),
  SSVIRT_LOGIN_DELAY_MS: int(500, 0, 60_000),
  SSVIRT_COMMIT: v.optional(v.pipe(v.string(), v.trim())),
  SSVIRT_BACKUP_INTERVAL_MINUTES: int(0, 0, 7 * 24 * 60),
  SSVIRT_BACKUP_DIR: str(''),
  SSVIRT_BACKUP_KEEP: int(7, 1, 1000),
  SSVIRT_LIST_CACHE_MB: int(8, 0, 4096),
  SSVIRT_TRUSTED_PROXIES: v.pipe(
    list(''),
    v.check((xs) => xs.every(isProxySpec), 'must be a comma list of IP addresses or CIDR ranges'),
  ),
  SSVIRT_LOGIN_MAX_PARALLEL_PER_USER: int(2, 1, 1000),
  SSVIRT_PASSWORD_HASH_CONCURRENCY: int(2, 1, 64),
  SSVIRT_PASSWORD_HASH_QUEUE: int(32, 0, 100_000),
  SSVIRT_LOCKOUT_ENABLED: bool(false),
  SSVIRT_LOCKOUT_INVALID_LOGINS: int(5, 1, 1000),
  SSVIRT_LOCKOUT_INTERVAL_MINUTES: int(10, 1, 7 * 24 * 60),
});

export interface Config {
  port: number;
  /** Requests served at once before new ones get 503 + Retry-After (lib/http/admission.ts). */
  maxInFlight: number;
  /** Event-loop lag (ms) above which new requests get 503 + Retry-After; 0 = not considered. */
  maxLagMs: number;
  /** Port of the metrics listener (lib/metrics-server.ts); 0 = none. */
  metricsPort: number;
  /** When set, `/metrics` on the API port answers a `Bearer` of this token (single-port installs). */
  metricsToken?: string;
  host: string;
  dbPath: string;
  adminUsername: string;
  adminPassword?: string;
  kubeconfig?: string;
  templateNamespaces: string[];
  templateSelector: string;
  vdcNetworkIsolation: boolean;
  cpuMhzPerCore: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  corsOrigins: string[];
  siteName: string;
  logLevel: string;
  taskTimeoutSeconds: number;
  reconcileIntervalSeconds: number;
  /** Client timeout of one Kubernetes API call. */
  kubeTimeoutSeconds: number;
  /** Base delay added to each failed login (grows with repeated failures). */
  loginDelayMs: number;
  /** Build commit shown by GET /api/v1/version, when the build sets it. */
  commit?: string;
  /** Periodic online backups every this many minutes; 0 = none. */
  backupIntervalMinutes: number;
  /** Where periodic backups go (default: `backups/` beside the database file). */
  backupDir: string;
  /** How many periodic backups to keep. */
  backupKeep: number;
  /** Memory for cached list pages (lib/http/page-cache.ts); 0 = no cache. */
  listCacheMb: number;
  /** Peers whose X-Forwarded-For names the client for login throttling (addresses or CIDRs); none by default. */
  trustedProxies: string[];
  /** Password checks in flight per username; more are answered 429 at once. */
  loginMaxParallelPerUser: number;
  /** Password hashes computed at once (128 MiB each at the production cost). */
  passwordHashConcurrency: number;
  /** Password checks waiting for a hashing slot; more are answered 429. */
  passwordHashQueue: number;
  /** Account lock-out (VCD's org password policy), applied to every organization; off by default. */
  lockout: { enabled: boolean; invalidLoginsBeforeLockout: number; lockoutIntervalMinutes: number };
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = { ...env, SSVIRT_LOG_LEVEL: env.SSVIRT_LOG_LEVEL ?? 'info' };
  const r = v.safeParse(ConfigSchema, input);
  if (!r.success) {
    const msgs = r.issues.map((i) => `${v.getDotPath(i) ?? '?'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${msgs.join('; ')}`);
  }
  const o = r.output;
  // Asked for by name: a file that cannot be read is a mistake to report now, in one line, rather
  // than a stack trace from the Kubernetes client later.
  if (o.SSVIRT_KUBECONFIG) {
    const why = unreadableFile(o.SSVIRT_KUBECONFIG);
    if (why) throw new ConfigError(`SSVIRT_KUBECONFIG: cannot read ${o.SSVIRT_KUBECONFIG}: ${why}`);
  }
  return {
    port: o.SSVIRT_PORT,
    metricsPort: o.SSVIRT_METRICS_PORT,
    maxInFlight: o.SSVIRT_MAX_IN_FLIGHT,
    maxLagMs: o.SSVIRT_MAX_LAG_MS,
    metricsToken: o.SSVIRT_METRICS_TOKEN || undefined,
    host: o.SSVIRT_HOST,
    dbPath: o.SSVIRT_DB_PATH,
    adminUsername: o.SSVIRT_ADMIN_USERNAME,
    adminPassword: o.SSVIRT_ADMIN_PASSWORD,
    kubeconfig: o.SSVIRT_KUBECONFIG,
    templateNamespaces: o.SSVIRT_TEMPLATE_NAMESPACES.length ? o.SSVIRT_TEMPLATE_NAMESPACES : ['openshift'],
    templateSelector: o.SSVIRT_TEMPLATE_SELECTOR,
    vdcNetworkIsolation: o.SSVIRT_VDC_NETWORK_ISOLATION,
    cpuMhzPerCore: o.SSVIRT_CPU_MHZ_PER_CORE,
    sessionIdleMinutes: o.SSVIRT_SESSION_IDLE_MINUTES,
    sessionMaxHours: o.SSVIRT_SESSION_MAX_HOURS,
    corsOrigins: o.SSVIRT_CORS_ORIGINS,
    siteName: o.SSVIRT_SITE_NAME,
    logLevel: o.SSVIRT_LOG_LEVEL,
    taskTimeoutSeconds: o.SSVIRT_TASK_TIMEOUT_SECONDS,
    reconcileIntervalSeconds: o.SSVIRT_RECONCILE_INTERVAL_SECONDS,
    kubeTimeoutSeconds: o.SSVIRT_KUBE_TIMEOUT_SECONDS,
    loginDelayMs: o.SSVIRT_LOGIN_DELAY_MS,
    commit: o.SSVIRT_COMMIT || undefined,
    backupIntervalMinutes: o.SSVIRT_BACKUP_INTERVAL_MINUTES,
    backupDir: o.SSVIRT_BACKUP_DIR || join(dirname(o.SSVIRT_DB_PATH), 'backups'),
    backupKeep: o.SSVIRT_BACKUP_KEEP,
    listCacheMb: o.SSVIRT_LIST_CACHE_MB,
    trustedProxies: o.SSVIRT_TRUSTED_PROXIES,
    loginMaxParallelPerUser: o.SSVIRT_LOGIN_MAX_PARALLEL_PER_USER,
    passwordHashConcurrency: o.SSVIRT_PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: o.SSVIRT_PASSWORD_HASH_QUEUE,
    lockout: {
      enabled: o.SSVIRT_LOCKOUT_ENABLED,
      invalidLoginsBeforeLockout: o.SSVIRT_LOCKOUT_INVALID_LOGINS,
      lockoutIntervalMinutes: o.SSVIRT_LOCKOUT_INTERVAL_MINUTES,
    },
  };
}

/** Why a path is not a readable regular file, or undefined when it is one. */
export function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, fsc.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
  }
}

/**
 * The environment the cluster side sees. An inherited `KUBECONFIG` (a list of files) loses the
 * entries that cannot be read, as kubectl skips missing files; when none is left the variable is
 * dropped and the server starts without a cluster. `warn` hears about each entry dropped.
 */
export function usableKubeconfigEnv(env: NodeJS.ProcessEnv, warn: (msg: string) => void): NodeJS.ProcessEnv {
  if (!env.KUBECONFIG) return env;
  const entries = env.KUBECONFIG.split(delimiter).filter((p) => p !== '');
  const kept = entries.filter((p) => {
    const why = unreadableFile(p);
    if (why) warn(`KUBECONFIG: ignoring ${p}: ${why}`);
    return !why;
  });
  const out = { ...env };
  if (kept.length) out.KUBECONFIG = kept.join(delimiter);
  else delete out.KUBECONFIG;
  return out;
}
