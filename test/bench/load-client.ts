/**
 * The client side of test/bench/load.ts: a cheap HTTP/1.1 client over one keep-alive `http.Agent`
 * (no fetch: node:http costs the client process less per request), and per-operation statistics
 * (latencies, status classes, shedding, samples of error bodies).
 */
import http from 'node:http';

export const ACCEPT = 'application/json;version=39.0';

export interface Answer {
  /** HTTP status, 0 for a network error or time-out. */
  status: number;
  ms: number;
  /** The answer carried Retry-After. */
  retryAfter: boolean;
  /** The body, when asked for (`body: true`) or when the status is ≥ 400. */
  text?: string;
  headers: http.IncomingHttpHeaders;
  error?: string;
}

export interface SendOptions {
  token?: string;
  basic?: string;
  json?: unknown;
  /** Collect the body of a 2xx answer too (always collected for ≥ 400). */
  body?: boolean;
}

export interface Client {
  send(method: string, path: string, o?: SendOptions): Promise<Answer>;
  /** Sockets open now (busy + idle), for the report. */
  sockets(): number;
  close(): void;
}

/** A client of `base` (http://host:port) whose requests share one keep-alive agent. */
export function httpClient(base: string, timeoutMs = 60_000): Client {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  const hostname = url.hostname;
  const port = Number(url.port);
  return {
    send(method, path, o = {}) {
      return new Promise<Answer>((resolve) => {
        const headers: Record<string, string> = { accept: ACCEPT };
        if (o.token) headers.authorization = `Bearer ${o.token}`;
        if (o.basic) headers.authorization = `Basic ${o.basic}`;
        let payload: string | undefined;
        if (o.json !== undefined) {
          payload = JSON.stringify(o.json);
          headers['content-type'] = 'application/json';
          headers['content-length'] = String(Buffer.byteLength(payload));
        } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
          headers['content-length'] = '0';
        }
        const t0 = performance.now();
        let settled = false;
        const done = (a: Omit<Answer, 'ms'>) => {
          if (settled) return;
          settled = true;
          resolve({ ...a, ms: performance.now() - t0 });
        };
        const req = http.request({ agent, hostname, port, method, path, headers }, (res) => {
          const status = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'] !== undefined;
          if (o.body || status >= 400) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done({ status, retryAfter, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          } else {
            res.resume();
            res.on('end', () => done({ status, retryAfter, headers: res.headers }));
          }
          res.on('error', (e) => done({ status: 0, retryAfter: false, headers: {}, error: e.message }));
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        req.on('error', (e) => done({ status: 0, retryAfter: false, headers: {}, error: (e as NodeJS.ErrnoException).code ?? e.message }));
        req.end(payload);
      });
    },
    sockets() {
      const count = (m: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(m).reduce((n, l) => n + (l?.length ?? 0), 0);
      return count(agent.sockets) + count(agent.freeSockets);
    },
    close() {
      agent.destroy();
    },
  };
}

/** Whether an answer is load shedding: 429 or 503 with Retry-After. */
export const isShed = (a: Answer) => (a.status === 429 || a.status === 503) && a.retryAfter;

/** The statistics of one operation (or of a whole phase). */
export class OpStats {
  readonly lat: number[] = [];
  readonly admitted: number[] = [];
  ok = 0;
  c4xx = 0;
  c429 = 0;
  c5xx = 0;
  c503 = 0;
  /** 429/503 with Retry-After. */
  shed = 0;
  /** Of those, the 503s. */
  shed503 = 0;
  err = 0;
  /** Picks that found nothing to act on (e.g. no VDC left to delete): no request sent. */
  skipped = 0;
  /** `<status> <minorErrorCode>` → count, for the 4xx and 5xx answers. */
  readonly reasons = new Map<string, number>();
  /** The first message of each reason. */
  readonly samples = new Map<string, string>();
  /** The first few 5xx (and 503 without Retry-After) answers, with their request ids. */
  readonly bodies5xx: string[] = [];
  readonly errors: string[] = [];

  constructor(readonly name: string) {}

  get count(): number {
    return this.lat.length;
  }

  record(a: Answer, what = ''): void {
    this.lat.push(a.ms);
    const s = a.status;
    if (isShed(a)) {
      this.shed++;
      if (s === 503) this.shed503++;
    }
    else this.admitted.push(a.ms);
    if (s === 0) {
      this.err++;
      if (this.errors.length < 5) this.errors.push(`${what} ${a.error ?? ''}`.trim());
      return;
    }
    if (s < 400) this.ok++;
    else if (s === 429) this.c429++;
    else if (s === 503) this.c503++;
    else if (s < 500) this.c4xx++;
    else this.c5xx++;
    if (s >= 400) {
      let code = '';
      let message = '';
      try {
        const e = JSON.parse(a.text ?? '') as { minorErrorCode?: string; message?: string };
        code = e.minorErrorCode ?? '';
        message = e.message ?? '';
      } catch { message = (a.text ?? '').slice(0, 200); }
      const key = `${s} ${code}`.trim();
      this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
      if (!this.samples.has(key)) this.samples.set(key, message.slice(0, 200));
      if ((s >= 500 && s !== 503) || (s === 503 && !a.retryAfter)) {
        if (this.bodies5xx.length < 5) this.bodies5xx.push(`${what} → ${s} (request id ${a.headers['x-vmware-vcloud-request-id'] ?? '?'}): ${(a.text ?? '').slice(0, 400)}`);
      }
    }
  }

  /** 5xx that are not shedding (a 503 without Retry-After counts). */
  get faults(): number {
    return this.c5xx + this.c503 - this.shed503;
  }

  merge(o: OpStats): void {
    for (const x of o.lat) this.lat.push(x);
    for (const x of o.admitted) this.admitted.push(x);
    this.ok += o.ok; this.c4xx += o.c4xx; this.c429 += o.c429; this.c5xx += o.c5xx; this.c503 += o.c503;
    this.shed += o.shed; this.shed503 += o.shed503; this.err += o.err; this.skipped += o.skipped;
    for (const [k, v] of o.reasons) this.reasons.set(k, (this.reasons.get(k) ?? 0) + v);
    for (const [k, v] of o.samples) if (!this.samples.has(k)) this.samples.set(k, v);
    for (const b of o.bodies5xx) if (this.bodies5xx.length < 10) this.bodies5xx.push(b);
    for (const b of o.errors) if (this.errors.length < 10) this.errors.push(b);
  }
}

/** The q-quantile (0..1) of `xs`, NaN when empty (sorts a copy). */
export function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export const maxOf = (xs: number[]) => xs.reduce((m, x) => (x > m ? x : m), xs.length ? -Infinity : NaN);

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** One table: per operation count, req/s, latencies and the status histogram. */
export function table(rows: OpStats[], seconds: number): string[] {
  const head = `${'operation'.padEnd(18)} ${'count'.padStart(7)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(8)} ${'adm p99'.padStart(8)} ${'2xx'.padStart(6)} ${'4xx'.padStart(5)} ${'429'.padStart(5)} ${'5xx'.padStart(4)} ${'503'.padStart(5)} ${'err'.padStart(4)} ${'shed'.padStart(5)}`;
  const lines = [head];
  for (const r of rows) {
    if (!r.count && !r.skipped) continue;
    lines.push(`${r.name.padEnd(18)} ${String(r.count).padStart(7)} ${f1(r.count / seconds).padStart(7)} ${f1(quantile(r.lat, 0.5)).padStart(7)} ${f1(quantile(r.lat, 0.99)).padStart(7)} ${f1(maxOf(r.lat)).padStart(8)} ${f1(quantile(r.admitted, 0.99)).padStart(8)} ${String(r.ok).padStart(6)} ${String(r.c4xx).padStart(5)} ${String(r.c429).padStart(5)} ${String(r.c5xx).padStart(4)} ${String(r.c503).padStart(5)} ${String(r.err).padStart(4)} ${String(r.shed).padStart(5)}${r.skipped ? `  (${r.skipped} picks skipped: nothing to act on)` : ''}`);
  }
  return lines;
}

/** The 4xx/5xx reasons of each operation, one line each (empty when none). */
export function reasons(rows: OpStats[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (!r.reasons.size) continue;
    out.push(`  ${r.name}: ${[...r.reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v} ("${r.samples.get(k) ?? ''}")`).join('; ')}`);
  }
  return out;
}
