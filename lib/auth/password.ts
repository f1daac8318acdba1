/**
 * scrypt password hashes (node:crypto): `scrypt$N$r$p$salt$hash`, compared in constant time. The
 * parameters travel in the hash, so a hash made under an older policy (N=2^14 before) still
 * verifies, and `needsRehash` tells the login to replace it once the password is known.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters: CPU/memory cost N (a power of two), block size r, parallelism p. */
export interface ScryptParams { N: number; r: number; p: number }

/** The production policy: N=2^17, r=8, p=1 (OWASP's scrypt minimum), 128 MiB and ~0.4 s a hash. */
export const SCRYPT_DEFAULT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

const KEYLEN = 32;
const SALT_BYTES = 16;
const ALG = 'scrypt';

// Bounds on what a stored hash may ask for: a row edited by hand (or a restored foreign database)
// must not make one login spend gigabytes or minutes. They allow twice the production memory.
const MAX_LOG2_N = 20;
const MAX_R = 16;
const MAX_P = 4;

/** Memory scrypt needs for these parameters (128·N·r, plus its p-sized buffer), with headroom. */
function maxmem({ N, r, p }: ScryptParams): number {
  return 128 * N * r + 128 * r * p + 32 * 1024 * 1024;
}

function scrypt(pw: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  // Node refuses more than 32 MiB by default; N=2^17 with r=8 needs 128 MiB.
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) };
  return new Promise((res, rej) => scryptCb(pw, salt, keylen, opts, (e, k) => (e ? rej(e) : res(k))));
}

function format(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `${ALG}$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Hashes a password with a fresh salt under `params` (the production policy unless given). */
export async function hashPassword(pw: string, params: ScryptParams = SCRYPT_DEFAULT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return format(params, salt, await scrypt(pw, salt, KEYLEN, params));
}

interface ParsedHash { params: ScryptParams; salt: Buffer; hash: Buffer }

function parse(stored: string): ParsedHash | undefined {
  const [alg, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (alg !== ALG || !salt || !hash || rest.length) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const { N } = params;
  if (!Number.isInteger(N) || N < 2 || N > 2 ** MAX_LOG2_N || (N & (N - 1)) !== 0) return undefined;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > MAX_R) return undefined;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > MAX_P) return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** The parameters written in a stored hash; undefined when it is not one of ours. */
export function readScryptParams(stored: string): ScryptParams | undefined {
  return parse(stored)?.params;
}

/** Checks a password against a stored hash, with the parameters the hash names. */
export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h || h.hash.length < 16) return false;
  let key: Buffer;
  try {
    key = await scrypt(pw, h.salt, h.hash.length, h.params);
  } catch {
    // Unusable parameters in a stored hash mean "no match", not a 500 on login.
    return false;
  }
  return key.length === h.hash.length && timingSafeEqual(key, h.hash);
}

/**
 * Whether a stored hash is weaker than `params` and should be replaced at the next good login.
 * Only weaker: a policy lowered for tests never rewrites hashes made stronger.
 */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const h = parse(stored);
  if (!h) return true;
  return h.params.N < params.N || h.params.r < params.r || h.params.p < params.p || h.hash.length < KEYLEN;
}

/** A hash that matches no password, at `params`: spends on unknown users the time a real one costs. */
export function dummyHash(params: ScryptParams): string {
  return format(params, Buffer.alloc(SALT_BYTES), Buffer.alloc(KEYLEN));
}

/** The dummy hash at the production policy. */
export const DUMMY_HASH = dummyHash(SCRYPT_DEFAULT);
