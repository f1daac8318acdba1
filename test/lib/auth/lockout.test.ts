import { describe, it, expect } from 'vitest';
import { AccountLockout } from '#lib/auth/lockout.ts';

const POLICY = { enabled: true, invalidLoginsBeforeLockout: 3, lockoutIntervalMinutes: 10 };

describe('lib/auth/lockout', () => {
  it('locks an account for the interval after N invalid logins, then lets it try again', () => {
    let now = 0;
    const l = new AccountLockout(POLICY, () => now);
    l.fail('u:alice');
    l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(0);
    l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(10 * 60_000);
    expect(l.lockedFor('u:bob')).toBe(0);
    now += 10 * 60_000 - 1;
    expect(l.lockedFor('u:alice')).toBe(1);
    now += 1;
    expect(l.lockedFor('u:alice')).toBe(0);
    // The count starts over after a lock-out.
    l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(0);
  });

  it('starts the count over after a good login, and forgets failures older than the interval', () => {
    let now = 0;
    const l = new AccountLockout(POLICY, () => now);
    l.fail('u:alice');
    l.fail('u:alice');
    l.succeed('u:alice');
    l.fail('u:alice');
    l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(0);
    now += 10 * 60_000;
    l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(0);
  });

  it('never locks when the policy is off (the default)', () => {
    const l = new AccountLockout({ ...POLICY, enabled: false }, () => 0);
    for (let i = 0; i < 100; i++) l.fail('u:alice');
    expect(l.lockedFor('u:alice')).toBe(0);
  });

  it('stays bounded when many distinct usernames fail', () => {
    const l = new AccountLockout(POLICY, () => 0);
    for (let i = 0; i < 25_000; i++) l.fail(`u:user-${i}`);
    expect(l.size).toBeLessThanOrEqual(10_000);
  });
});
