/**
 * Kubernetes resource quantities ("2Gi", "1500m", "1G") as numbers.
 */
const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity in base units (bytes, cores); undefined when not a quantity. */
export function parseQuantity(q: string | number | undefined | null): number | undefined {
  if (q === undefined || q === null) return undefined;
  if (typeof q === 'number') return q;
  // Kubernetes' grammar allows "1." and ".5" as well as "1.5".
  const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([KMGTPE]i|[numkKMGTPE]?)\s*$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  return n * (BIN[unit] ?? DEC[unit] ?? 1);
}

/**
 * Whether two quantities are the same amount. A real API server stores quantities in canonical
 * form ("10240Mi" comes back "10Gi", "2000m" as "2"), so their strings cannot be compared.
 */
export function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return a === b;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Bytes as whole MiB (VCD's "MB"). */
export function toMiB(bytes: number | undefined): number | null {
  return bytes === undefined ? null : Math.round(bytes / 2 ** 20);
}
