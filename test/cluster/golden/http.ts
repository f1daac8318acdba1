/**
 * A bare HTTP(S) client for replaying recorded requests byte for byte: exactly the headers given,
 * and for watch streams the whole body until the server closes it.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** For streams: when each line arrived, in ms since the headers. */
  lineTimes: number[];
}

/** `closeAfterMs`: the client hangs up then (a recorded watch that was stopped by the recorder). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string, closeAfterMs?: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = http.request(u, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const lineTimes: number[] = [];
      const t0 = Date.now();
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        for (const b of c) if (b === 10) lineTimes.push(Date.now() - t0);
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), lineTimes });
      res.on('end', done);
      res.on('error', reject);
      if (closeAfterMs !== undefined) setTimeout(() => { res.destroy(); done(); }, closeAfterMs);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
