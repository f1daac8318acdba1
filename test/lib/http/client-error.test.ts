import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { answerClientErrors, classifyClientError } from '#lib/http/client-error.ts';

/** Sends raw bytes and collects everything the server writes until it closes. */
async function raw(port: number, bytes: string): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.on('error', () => {});
  sock.write(bytes);
  await once(sock, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

function parse(answer: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head, body] = answer.split('\r\n\r\n', 2) as [string, string];
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('answerClientErrors', () => {
  let server: Server | undefined;
  afterEach(async () => { server?.close(); server = undefined; });

  async function start(): Promise<number> {
    server = createServer((_req, res) => { res.end('ok'); });
    answerClientErrors(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  }

  it.each([
    ['an unknown method', 'FROB / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a malformed request line', 'GET\r\n\r\n', 400, 'BAD_REQUEST'],
    ['headers too large', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n', 400, 'BAD_REQUEST'],
  ])('answers %s with the JSON envelope', async (_what, bytes, status, minor) => {
    const port = await start();
    const r = parse(await raw(port, bytes));
    expect(r.status).toBe(status);
    expect(r.headers).toContain('content-type: application/json');
    expect(r.headers).toContain('x-content-type-options: nosniff');
    expect(r.body).toMatchObject({ minorErrorCode: minor, code: status, stackTrace: null });
    expect(typeof r.body.message).toBe('string');
  });

  it('leaves well-formed requests to the handler', async () => {
    const port = await start();
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/\r\n\r\nok$/);
  });

  it('maps the request timeout to 408', () => {
    expect(classifyClientError('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
  });
});
