/**
 * Draining keep-alive connections on shutdown without resetting requests. Node's `server.close()`
 * closes idle keep-alive connections at once, so a client that is just sending its next request
 * on one gets ECONNRESET, and responses in flight still say `Connection: keep-alive`, inviting
 * exactly that. Here, once draining starts, every response not yet sent (in flight or arriving on
 * an existing connection) says `Connection: close`, so each connection ends after its answer, and
 * idle connections get a short linger to carry one more request before they are closed.
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

export class ConnectionDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;

  constructor(server: Pick<Server, 'prependListener'>) {
    // Before the app's own listener, which may answer synchronously.
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.draining) {
        res.setHeader('Connection', 'close');
        return;
      }
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  /** From now on every response closes its connection (headers already sent cannot change). */
  begin(): void {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.inFlight.clear();
  }
}

/**
 * Stops accepting connections but, unlike `http.Server#close`, leaves idle keep-alive connections
 * open (the caller closes them after a linger). `done` runs once every connection has ended.
 */
export function stopListening(server: Server, done: () => void): void {
  NetServer.prototype.close.call(server, () => done());
}
