import { describe, it, expect, beforeEach } from 'vitest';
import type { Db } from '#db/client.ts';
import { makeTestApp } from '#test/support/app.ts';
import { seedOrg, seedVdc } from '#test/support/fixtures.ts';
import { findOrg, updateOrg } from '#db/queries/orgs.ts';
import { findVdc, updateVdc } from '#db/queries/vdcs.ts';

describe('row versions (nextVersion)', () => {
  let db: Db;
  beforeEach(async () => { db = (await makeTestApp()).db; });

  it('moves when a column gets another value, not for a write of the same values or of the time alone', () => {
    const org = seedOrg(db, 'Acme', { canPublish: true });
    updateOrg(db, org.id, { updatedAt: 5 });
    updateOrg(db, org.id, { name: 'Acme', canPublish: true, updatedAt: 6 });
    expect(findOrg(db, org.id)).toMatchObject({ version: 1, updatedAt: 6 });
    updateOrg(db, org.id, { canPublish: false, updatedAt: 7 });
    expect(findOrg(db, org.id)!.version).toBe(2);
    updateOrg(db, org.id, { name: 'Acme', displayName: 'ACME' });
    expect(findOrg(db, org.id)!.version).toBe(3);
  });

  it('compares null-safely and through the column encoding (booleans, JSON)', () => {
    const vdc = seedVdc(db, seedOrg(db, 'Acme').id, 'Dev', { storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 10, default: true }] });
    updateVdc(db, vdc.id, { statusMessage: null, needsReconcile: false, storageProfiles: vdc.storageProfiles });
    expect(findVdc(db, vdc.id)!.version).toBe(1);
    updateVdc(db, vdc.id, { statusMessage: 'lagging' });
    expect(findVdc(db, vdc.id)!.version).toBe(2);
    updateVdc(db, vdc.id, { needsReconcile: true });
    expect(findVdc(db, vdc.id)!.version).toBe(3);
    updateVdc(db, vdc.id, { storageProfiles: [] });
    expect(findVdc(db, vdc.id)!.version).toBe(4);
  });
});
