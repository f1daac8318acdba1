/**
 * The app's login defences, built once from the configuration and passed to the login on `c.var`:
 * per-key back-off, per-user parallelism cap, optional account lock-out, and the trusted proxies
 * that decide which address a request counts against.
 */
import type { Config } from '#lib/config.ts';
import { LoginThrottle } from './throttle.ts';
import { InFlightLimit } from './in-flight.ts';
import { AccountLockout } from './lockout.ts';
import { TrustedProxies } from './client-address.ts';

export class LoginGuard {
  readonly throttle: LoginThrottle;
  readonly inFlight: InFlightLimit;
  /** One more check per user and client address without recent failures (see login.ts). */
  readonly cleanLane: InFlightLimit;
  readonly lockout: AccountLockout;
  readonly proxies: TrustedProxies;

  constructor(
    config: Pick<Config, 'loginDelayMs' | 'loginMaxParallelPerUser' | 'lockout' | 'trustedProxies'>,
    now: () => number,
    /** How the login waits out a back-off; tests drive it with fake timers. */
    readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.throttle = new LoginThrottle(config.loginDelayMs, now);
    this.inFlight = new InFlightLimit(config.loginMaxParallelPerUser);
    this.cleanLane = new InFlightLimit(1);
    this.lockout = new AccountLockout(config.lockout, now);
    this.proxies = new TrustedProxies(config.trustedProxies);
  }
}

/** Throttle and lock-out keys: one namespace per kind, so a username never collides with an address. */
export const loginKey = {
  user: (username: string) => `u:${username.toLowerCase()}`,
  address: (address: string) => `ip:${address}`,
};
