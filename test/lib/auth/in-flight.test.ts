import { describe, it, expect } from 'vitest';
import { InFlightLimit } from '#lib/auth/in-flight.ts';

describe('lib/auth/in-flight', () => {
  it('admits at most `max` per key and frees a slot once, however often release is called', () => {
    const l = new InFlightLimit(2);
    const a = l.tryAcquire('u:alice');
    const b = l.tryAcquire('u:alice');
    expect(a && b).toBeTruthy();
    expect(l.tryAcquire('u:alice')).toBeUndefined();
    expect(l.tryAcquire('u:bob')).toBeDefined();
    a!();
    a!();
    expect(l.tryAcquire('u:alice')).toBeDefined();
    expect(l.tryAcquire('u:alice')).toBeUndefined();
  });

  it('forgets a key with nothing in flight', () => {
    const l = new InFlightLimit(1);
    l.tryAcquire('u:x')!();
    expect(l.size).toBe(0);
  });
});
