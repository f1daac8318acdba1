import { describe, it, expect } from 'vitest';
import { LoginThrottle } from '#lib/auth/throttle.ts';

describe('lib/auth/throttle', () => {
  it('doubles the delay with each recent failure up to 16 times the base', () => {
    let now = 0;
    const t = new LoginThrottle(100, () => now);
    const keys = ['u:alice', 'ip:1.2.3.4'];
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      delays.push(t.delayFor(keys));
      t.fail(keys);
      now += 1000;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 1600, 1600]);
  });

  it('takes the worst of the keys (per user and per address)', () => {
    const t = new LoginThrottle(10, () => 0);
    t.fail(['u:alice', 'ip:a']);
    t.fail(['u:bob', 'ip:a']);
    expect(t.delayFor(['u:carol', 'ip:a'])).toBe(40);
    expect(t.delayFor(['u:alice', 'ip:b'])).toBe(20);
    expect(t.delayFor(['u:carol', 'ip:b'])).toBe(10);
  });

  it('forgets failures after 15 minutes', () => {
    let now = 0;
    const t = new LoginThrottle(10, () => now);
    t.fail(['u:alice']);
    t.fail(['u:alice']);
    now += 15 * 60_000 - 1;
    expect(t.delayFor(['u:alice'])).toBe(40);
    now += 1;
    expect(t.delayFor(['u:alice'])).toBe(10);
    t.fail(['u:alice']);
    expect(t.delayFor(['u:alice'])).toBe(20);
  });

  it('forgets a username after a good login, but not the address', () => {
    const t = new LoginThrottle(10, () => 0);
    t.fail(['u:alice', 'ip:a']);
    t.succeed('u:alice');
    expect(t.delayFor(['u:alice'])).toBe(10);
    expect(t.delayFor(['ip:a'])).toBe(20);
  });

  it('is zero when the base delay is zero', () => {
    const t = new LoginThrottle(0, () => 0);
    t.fail(['u:x']);
    expect(t.delayFor(['u:x'])).toBe(0);
  });

  it('stays bounded when many distinct usernames fail at once', () => {
    const t = new LoginThrottle(10, () => 0);
    for (let i = 0; i < 25_000; i++) t.fail([`u:user-${i}`]);
    expect((t as unknown as { failures: Map<string, unknown> }).failures.size).toBeLessThanOrEqual(10_001);
    // The newest failures are the ones kept.
    expect(t.delayFor(['u:user-24999'])).toBe(20);
  });
});

describe('lib/auth/throttle: before the hash', () => {
  it('makes a new attempt wait until the back-off of the last failure has passed (0 for clean keys)', () => {
    let now = 0;
    const t = new LoginThrottle(100, () => now);
    expect(t.waitFor(['u:alice', 'ip:a'])).toBe(0);
    t.fail(['u:alice', 'ip:a']);
    expect(t.waitFor(['u:alice', 'ip:b'])).toBe(100);
    now += 60;
    expect(t.waitFor(['u:alice'])).toBe(40);
    t.fail(['u:alice']);
    expect(t.waitFor(['u:alice'])).toBe(200);
    expect(t.waitFor(['u:bob', 'ip:b'])).toBe(0);
    now += 200;
    expect(t.waitFor(['u:alice'])).toBe(0);
  });

  it('counts the worst recent failures of the keys (the hashing priority)', () => {
    const t = new LoginThrottle(10, () => 0);
    t.fail(['u:alice', 'ip:a']);
    t.fail(['u:alice', 'ip:b']);
    expect(t.failureCount(['u:alice', 'ip:c'])).toBe(2);
    expect(t.failureCount(['u:carol', 'ip:a'])).toBe(1);
    expect(t.failureCount(['u:carol', 'ip:c'])).toBe(0);
  });
});
