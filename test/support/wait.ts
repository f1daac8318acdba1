/**
 * The one polling helper of the tests: waits for something the system does on its own time
 * (a controller, an informer, a reconcile pass, a child process) without fixed sleeps.
 */

export interface UntilOptions {
  /** How long to poll before failing (default 5 s). */
  timeoutMs?: number;
  /** Pause between polls (default 20 ms). */
  intervalMs?: number;
  /** Extra text for the timeout error, read only on failure (e.g. the tail of a server's output). */
  detail?: () => string;
}

/**
 * Polls `fn` until it returns a truthy value and returns that value. Truthy, like `if (v)`: besides
 * undefined, null and false, 0 and '' also mean "not yet" (return a boolean or an object when 0
 * or '' is a real answer). A throw from `fn` fails at once: catch inside `fn` what may fail while
 * waiting. On timeout it throws `timed out after N ms waiting for <what> (last: <JSON of the last value>)`.
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, opts: UntilOptions = {}): Promise<Exclude<T, undefined | null | false>> {
  const { timeoutMs = 5_000, intervalMs = 20 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await fn();
    if (last) return last as Exclude<T, undefined | null | false>;
    if (Date.now() >= deadline) {
      const extra = opts.detail ? `\n${opts.detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${show(last)})${extra}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** JSON of a value for the error message; never throws (cycles, BigInt). */
function show(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
