/**
 * The Hono environment: what every handler finds on `c.var`.
 */
import type { WriteProbe } from '#lib/write-probe.ts';
import type { Admission } from './admission.ts';
import type { Db } from '#db/client.ts';
import type { Config } from '#lib/config.ts';
import type { Log } from '#lib/log.ts';
import type { Session } from '#lib/auth/session.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import type { ApiError } from './errors.ts';
import type { LoginGuard } from '#lib/auth/login-guard.ts';
import type { Passwords, PasswordImpl } from '#lib/auth/passwords.ts';
import type { ScryptParams } from '#lib/auth/password.ts';
import type { Metrics } from '#lib/metrics.ts';
import type { RouteDef } from './routes.ts';
import type { PageCache } from './page-cache.ts';

export interface Deps {
  db: Db;
  config: Config;
  log: Log;
  /** Undefined when no cluster is configured (degraded mode). */
  k8s?: Cluster;
  /** Per-failure delay hook for logins; tests replace it to keep runs fast. */
  clock?: { now(): number };
  /** The app's metrics registry; a fresh one when omitted. */
  metrics?: Metrics;
  /** The list-page cache; built from SSVIRT_LIST_CACHE_MB when omitted (tests pass one to watch it). */
  pages?: PageCache;
  /** scrypt cost for new hashes; the production policy (N=2^17) when omitted, tests pass a small N. */
  passwordParams?: ScryptParams;
  /** The hashing functions; tests replace them to hold a password check open. */
  passwordImpl?: PasswordImpl;
  /** Whether the database takes writes (readiness); absent in tests that do not need it. */
  writeProbe?: WriteProbe;
  /** Admission control (lib/http/admission.ts); absent: every request is admitted. */
  admission?: Admission;
}

export interface AppEnv {
  Variables: {
    db: Db;
    config: Config;
    log: Log;
    k8s: Cluster | undefined;
    requestId: string;
    session: Session | undefined;
    /** Why a presented token did not yield a session; raised only by routes that need one. */
    authError: ApiError | undefined;
    now: () => number;
    loginGuard: LoginGuard;
    /** Password hashing behind the app's bounded queue. */
    passwords: Passwords;
    metrics: Metrics;
    /** The app's route table (for the API description). */
    routes: RouteDef[];
    /** The app's list-page cache; undefined when SSVIRT_LIST_CACHE_MB is 0. */
    pages: PageCache | undefined;
    writeProbe: WriteProbe | undefined;
    /** The database generation read by the session lookup, when nothing was written since. */
    generation: string | undefined;
  };
}
