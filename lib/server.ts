/**
 * Process entry: configuration → database (migrations, bootstrap) → cluster (when configured) →
 * HTTP. SIGTERM/SIGINT stop accepting, let in-flight requests finish (bounded), stop the cluster
 * side, checkpoint and close the database, exit 0 (lib/shutdown.ts).
 */
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig, ConfigError, usableKubeconfigEnv, type Config } from './config.ts';
import { createLog } from './log.ts';
import { openDb } from '#db/client.ts';
import { bootstrap } from './bootstrap.ts';
import { createApp } from './app.ts';
import { loadRoutes, routesFromModules } from './http/routes.ts';
import { ROUTE_MODULES } from './http/route-manifest.ts';
import { startCluster } from './k8s/start.ts';
import { createMetrics } from './metrics.ts';
import { shutdown } from './shutdown.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startPeriodicBackup } from './backup.ts';
import { answerClientErrors } from './http/client-error.ts';
import { ConnectionDrain } from './http/drain.ts';
import { Admission, LagMonitor } from './http/admission.ts';
import { dbNotWritable } from './db-writable.ts';
import { budgetProblem, memoryBudget } from './memory-budget.ts';
import { SCRYPT_DEFAULT } from './auth/password.ts';
import { WriteProbe, WRITE_PROBE_INTERVAL_MS } from './write-probe.ts';
import { probeWriter } from '#db/write-probe.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ssvirt: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLog(config.logLevel);
  const budget = memoryBudget(config.passwordHashConcurrency, 128 * SCRYPT_DEFAULT.N * SCRYPT_DEFAULT.r);
  const mib = (n: number | null) => (n === null ? null : Math.round(n / 2 ** 20));
  log.info({ memoryLimitMiB: mib(budget.limitBytes), heapLimitMiB: mib(budget.heapLimitBytes), hashingMiB: mib(budget.hashingBytes) }, 'memory budget');
  const overBudget = budgetProblem(budget);
  if (overBudget) log.warn({}, overBudget);
  const notWritable = dbNotWritable(config.dbPath);
  if (notWritable) {
    process.stderr.write(`ssvirt: ${notWritable}\n`);
    process.exit(2);
  }
  const db = openDb(config.dbPath);
  await bootstrap(db, { adminUsername: config.adminUsername, adminPassword: config.adminPassword, log });
  // One registry for the process: HTTP metrics here, the Kubernetes side may register into it too.
  const metrics = createMetrics();
  const env = usableKubeconfigEnv(process.env, (msg) => log.warn({}, msg));
  const k8s = await startCluster({ config, db, log, registry: metrics.registry, env });
  const routes = ROUTE_MODULES ? routesFromModules(ROUTE_MODULES) : await loadRoutes();
  const writeProbe = new WriteProbe({ write: probeWriter(db), log, intervalMs: WRITE_PROBE_INTERVAL_MS });
  writeProbe.start();
  const lag = new LagMonitor();
  lag.start();
  const admission = new Admission({ maxInFlight: config.maxInFlight, maxLagMs: config.maxLagMs, lagMs: () => lag.lagMs(), registry: metrics.registry });
  const app = createApp({ db, config, log, k8s, routes, metrics, writeProbe, admission });

  const metricsServer = config.metricsPort > 0
    ? await startMetricsServer({ registry: metrics.registry, port: config.metricsPort, host: config.host, log }).catch((e: NodeJS.ErrnoException) => {
      process.stderr.write(`ssvirt: cannot listen on the metrics port ${config.metricsPort} (SSVIRT_METRICS_PORT): ${e.code ?? e.message}\n`);
      process.exit(2);
    })
    : undefined;
  const backups = config.backupIntervalMinutes > 0
    ? startPeriodicBackup({ db, dir: config.backupDir, intervalMs: config.backupIntervalMinutes * 60_000, keep: config.backupKeep, log })
    : undefined;

  const server: ServerType = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    log.info({ port: info.port, host: config.host, metricsPort: metricsServer?.port, db: config.dbPath, cluster: k8s ? 'configured' : 'not-configured' }, `listening on http://${config.host}:${info.port}`);
  });
  // serve() creates a node:http server; parser-level refusals get our envelope, not an empty body.
  answerClientErrors(server as Server);
  const drain = new ConnectionDrain(server as Server);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    writeProbe.stop();
    lag.stop();
    const code = await shutdown({ server: server as Server, drain, k8s, db, log, background: [...(backups ? [backups] : []), ...(metricsServer ? [metricsServer] : [])] });
    log.info({ code }, 'stopped');
    log.flush?.();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`ssvirt: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
