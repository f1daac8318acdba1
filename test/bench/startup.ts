/**
 * Start-up benchmark (a script, not a test): `npx tsx test/bench/startup.ts [runs]`.
 *
 * Builds the production bundle (unless STARTUP_DIST names one), then starts `node dist/server.mjs`
 * `runs` times (default 7), each on a new empty SQLite file — migrations, bootstrap with the first
 * administrator's scrypt hash, routes, listening — and measures from spawn to the first 200 of
 * `/readyz` (polled every 5 ms). Prints each run, min / median / max, and the target (≤ 1500 ms).
 * Also prints the CPU time the server process used until ready (user + system, from /proc on
 * Linux): on a busy machine the wall time mostly measures waiting for a CPU, the CPU time does not.
 * The same with `STARTUP_TSX=1` measures `tsx lib/server.ts` for comparison; `STARTUP_KUBECONFIG=<path>`
 * starts it with that cluster (e.g. `npm run cluster`'s): /readyz then waits for the informers too.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, startServer, tempDir, waitReady } from '../support/server-process.ts';
import { ROOT } from '../../scripts/build.ts';

const TARGET_MS = 1500;
const runs = Number(process.argv[2] ?? 7);
const tsx = process.env.STARTUP_TSX === '1';

const dist = tsx ? undefined : process.env.STARTUP_DIST ?? (await buildOnce());
const times: number[] = [];
const cpuTimes: number[] = [];

/** utime + stime of a live process in ms (Linux), else NaN. */
function cpuMs(pid: number | undefined): number {
  const f = `/proc/${pid}/stat`;
  if (!pid || !existsSync(f)) return NaN;
  const fields = readFileSync(f, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks, USER_HZ = 100
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(0)} ms, median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms`;
};
for (let i = 0; i < runs; i++) {
  const data = tempDir('startup');
  const started = performance.now();
  const s = await startServer({
    dist,
    command: tsx ? [process.execPath, join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'lib/server.ts'] : undefined,
    env: {
      SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_ADMIN_PASSWORD: 'startup-password-1', SSVIRT_LOG_LEVEL: 'warn',
      ...(process.env.STARTUP_KUBECONFIG ? { SSVIRT_KUBECONFIG: process.env.STARTUP_KUBECONFIG } : {}),
    },
  });
  await waitReady(s, 30_000);
  const ms = performance.now() - started;
  const cpu = cpuMs(s.proc.pid);
  times.push(ms);
  cpuTimes.push(cpu);
  const code = await s.stop();
  rmSync(data, { recursive: true, force: true });
  process.stdout.write(`run ${i + 1}: ${ms.toFixed(0)} ms to /readyz 200, ${cpu.toFixed(0)} ms CPU (exit ${code})\n`);
}
if (dist && !process.env.STARTUP_DIST) rmSync(dist, { recursive: true, force: true });
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
process.stdout.write(
  `${tsx ? 'tsx lib/server.ts' : 'node dist/server.mjs'}, empty database${process.env.STARTUP_KUBECONFIG ? ', with a cluster' : ''}, ${runs} runs: wall ${stats(times)}; ` +
  `CPU ${stats(cpuTimes)} (target ≤ ${TARGET_MS} ms wall: ${median <= TARGET_MS ? 'met' : 'NOT met'})\n`,
);
