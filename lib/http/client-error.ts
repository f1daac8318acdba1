/**
 * Requests Node's HTTP parser refuses before any handler runs (unknown method, headers too large,
 * malformed request line or chunking, header timeout). Node's own answer has an empty body; this
 * one writes our JSON error envelope on the socket instead, with the status Node would have used.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { envelope, type MinorErrorCode } from './errors.ts';

interface ParserError extends Error { code?: string }

/** Status, minor code and message for a parser error code (the same statuses Node answers with). */
export function classifyClientError(code: string | undefined): { status: number; minor: MinorErrorCode; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, minor: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, minor: 'PAYLOAD_TOO_LARGE', message: 'chunk extensions are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, minor: 'REQUEST_TIMEOUT', message: 'the request was not received in time' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, minor: 'BAD_REQUEST', message: 'unknown HTTP method' };
    default:
      return { status: 400, minor: 'BAD_REQUEST', message: 'malformed HTTP request' };
  }
}

/** The raw HTTP/1.1 answer for a parser error; the connection is closed after it. */
export function clientErrorResponse(code: string | undefined): string {
  const { status, minor, message } = classifyClientError(code);
  const e = envelope(status, minor, message);
  const body = JSON.stringify(e);
  return `HTTP/1.1 ${status} ${e.error}\r\n`
    + 'Content-Type: application/json\r\n'
    + `Content-Length: ${Buffer.byteLength(body)}\r\n`
    + 'X-Content-Type-Options: nosniff\r\n'
    + 'Cache-Control: no-store\r\n'
    + 'Connection: close\r\n\r\n'
    + body;
}

/** Replaces Node's empty-bodied parser answers on `server` with the envelope. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    // A reset peer cannot read an answer; a socket already answering (a response was started) must
    // not get a second status line.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(err.code));
  });
}
