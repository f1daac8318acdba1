import { describe, it, expect } from 'vitest';
import { HashQueueFullError } from '#lib/auth/hash-queue.ts';
import { answeringBusy } from '#lib/users/context.ts';

describe('answeringBusy', () => {
  it('turns a refused hash or check (full queue) into 429 TOO_MANY_REQUESTS with Retry-After, and passes other errors on', async () => {
    const refused = answeringBusy({ hash: () => Promise.reject(new HashQueueFullError()), verify: () => Promise.reject(new HashQueueFullError()) });
    await expect(refused.hash('pw')).rejects.toMatchObject({ status: 429, minorErrorCode: 'TOO_MANY_REQUESTS', headers: { 'Retry-After': '1' } });
    await expect(refused.verify('pw', 'stored')).rejects.toMatchObject({ status: 429 });
    const broken = answeringBusy({ hash: () => Promise.reject(new Error('disk')), verify: () => Promise.resolve(true) });
    await expect(broken.hash('pw')).rejects.toThrow('disk');
    await expect(broken.verify('pw', 'stored')).resolves.toBe(true);
  });
});
