/**
 * The real server as a child process (the production bundle run by plain `node`, or the sources
 * under tsx), for the start-up benchmark, the shutdown and backup tests and the README walkthrough.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildProduction, ROOT } from '../../scripts/build.ts';

export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** stdout and stderr lines so far (JSON log lines and anything else). */
  output: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `ms`; resolves with the exit code. */
  stop(ms?: number): Promise<number | string>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A new empty folder under the repository's `.tmp/` (git-ignored). */
export function tempDir(prefix: string): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  return mkdtempSync(join(ROOT, '.tmp', `${prefix}-`));
}

/** Builds the production bundle into a fresh folder; returns the folder. */
export async function buildOnce(): Promise<string> {
  const out = tempDir('dist');
  await buildProduction(out);
  return out;
}

/**
 * Starts `node <dist>/server.mjs` (or `entry` with the given runner) on a free loopback port.
 * Does not wait for readiness: see `waitReady`.
 */
export async function startServer(opts: { dist?: string; env?: Record<string, string>; command?: string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const command = opts.command ?? [process.execPath, join(opts.dist!, 'server.mjs')];
  const proc = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SSVIRT_HOST: '127.0.0.1',
      SSVIRT_PORT: String(port),
      // Many servers run at once in the suite: no fixed metrics port unless a test asks for one.
      SSVIRT_METRICS_PORT: '0',
      // The suite runs many processes on two cores: event-loop lag there measures the machine,
      // not the server, so lag-based admission would refuse at random (the load bench sets it).
      SSVIRT_MAX_LAG_MS: '0',
      SSVIRT_LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) output.push(line);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | string>((res) => proc.once('exit', (code, signal) => res(code ?? signal ?? -1)));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    output,
    exited,
    async stop(ms = 15_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), ms);
        const code = await exited;
        clearTimeout(t);
        return code;
      }
      return exited;
    },
  };
}

/** Polls `/readyz` until it answers 200; returns the milliseconds waited. Throws after `timeoutMs`. */
export async function waitReady(s: ServerProcess, timeoutMs = 20_000, intervalMs = 5): Promise<number> {
  const started = performance.now();
  let exitCode: number | string | undefined;
  void s.exited.then((c) => { exitCode = c; });
  while (performance.now() - started < timeoutMs) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before ready:\n${s.output.join('\n')}`);
    try {
      const res = await fetch(`${s.url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${s.output.join('\n')}`);
}
