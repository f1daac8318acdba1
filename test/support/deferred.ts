/**
 * A promise with its resolve at hand: tests use pairs of them to stop an operation at an await
 * and let it go on only after a concurrent write has committed (no sleeps, no luck).
 */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** A fresh deferred. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
