/**
 * Graceful shutdown (SIGTERM/SIGINT): stop accepting, let in-flight requests finish within a bound,
 * stop the cluster side (informers, reconciler), checkpoint and close SQLite. The bounds are shared
 * with the deployment: the pod's terminationGracePeriodSeconds must leave room for them
 * (test/manifests checks it).
 */
import type { Server } from 'node:http';
import { closeDb, type Db } from '#db/client.ts';
import type { Log } from './log.ts';
import { stopListening, type ConnectionDrain } from './http/drain.ts';

/** How long in-flight requests may take to finish after SIGTERM before connections are closed. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** How long stopping the cluster side may take before the database is closed anyway. */
export const CLUSTER_STOP_MS = 5_000;
/** How often idle keep-alive connections are closed while draining, after the linger. */
const IDLE_SWEEP_MS = 50;
/**
 * How long connections idle at the signal stay open: a busy client sends its next request within
 * this, gets it answered with `Connection: close`, instead of a reset on a socket closed under it.
 */
export const IDLE_LINGER_MS = 1_000;

export interface ShutdownDeps {
  server: Server;
  /** Marks responses `Connection: close` once shutdown starts (see lib/http/drain.ts). */
  drain?: ConnectionDrain;
  k8s?: { stop(): Promise<void> };
  /** Background work on the database (periodic backups), stopped before it closes. */
  background?: { stop(): Promise<void> }[];
  db: Db;
  log: Log;
  graceMs?: number;
  clusterStopMs?: number;
  idleLingerMs?: number;
}

/** Runs the shutdown; resolves with the exit code (0 unless closing the database failed). */
export async function shutdown(deps: ShutdownDeps): Promise<number> {
  const { server, log } = deps;
  const graceMs = deps.graceMs ?? SHUTDOWN_GRACE_MS;
  const started = performance.now();
  // Stop accepting; responses from now on close their connections. Connections idle now may be
  // carrying a request already: they linger, then idle ones are swept until every connection is
  // gone (a busy keep-alive connection becomes idle when its response is sent).
  deps.drain?.begin();
  let sweep: NodeJS.Timeout | undefined;
  const linger = setTimeout(() => {
    server.closeIdleConnections();
    sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  }, Math.min(deps.idleLingerMs ?? IDLE_LINGER_MS, graceMs));
  let timedOut = false;
  const force = setTimeout(() => {
    timedOut = true;
    log.warn({ graceMs }, 'in-flight requests did not finish in time; closing their connections');
    server.closeAllConnections();
  }, graceMs);
  await new Promise<void>((res) => stopListening(server, res));
  clearTimeout(linger);
  clearInterval(sweep);
  clearTimeout(force);
  log.info({ ms: Math.round(performance.now() - started), timedOut }, 'HTTP stopped');

  if (deps.background?.length) {
    await Promise.all(deps.background.map((b) => b.stop().catch((e: unknown) => log.warn({ err: e }, 'stopping background work failed'))));
    log.info('background work stopped');
  }

  if (deps.k8s) {
    const ms = deps.clusterStopMs ?? CLUSTER_STOP_MS;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      deps.k8s.stop().then(() => 'stopped', (e: unknown) => { log.warn({ err: e }, 'stopping the cluster side failed'); return 'failed'; }),
      new Promise<string>((res) => { timer = setTimeout(() => res('timed out'), ms); }),
    ]);
    clearTimeout(timer);
    log.info({ outcome }, 'cluster side stopped');
  }

  try {
    closeDb(deps.db);
    log.info('database checkpointed and closed');
    return 0;
  } catch (e) {
    log.error({ err: e }, 'closing the database failed');
    return 1;
  }
}
