/**
 * Seeded vApps and VMs (no cluster) for the read endpoints' tests: in Acme, one vApp owned by the
 * vApp User with two VMs and one owned by the Organization Administrator; in Beta, one vApp.
 */
import { eq } from 'drizzle-orm';
import type { TestApp } from './app.ts';
import { seedVapp, seedVdc, seedVm } from './fixtures.ts';
import { vdcWorld, type VdcWorld } from './vdc-world.ts';
import { users } from '#db/schema.ts';

export async function vappSeed(t: TestApp) {
  const w: VdcWorld = await vdcWorld(t);
  const userId = (name: string) => t.db.select().from(users).where(eq(users.usernameKey, name)).get()!.id;
  const dev = seedVdc(t.db, w.acme.id, 'dev');
  const test = seedVdc(t.db, w.acme.id, 'test');
  const betaVdc = seedVdc(t.db, w.beta.id, 'prod');
  const web = seedVapp(t.db, dev, userId('acme-user'), 'web', { status: 'POWERED_ON', instanceUid: 'uid-web', catalogItemId: '6f1c7f2e-9d3a-5b5e-8f3e-0b1d2c3d4e5f', catalogItemName: 'fedora-server-small', templateName: 'fedora-server-small', parameters: { CLOUD_USER_PASSWORD: 'hidden-secret' } });
  const db = seedVapp(t.db, test, userId('acme-admin'), 'db', { status: 'CREATING' });
  const betaApp = seedVapp(t.db, betaVdc, userId('beta-user'), 'beta-app', { status: 'FAILED', statusMessage: 'quota exceeded' });
  const web1 = seedVm(t.db, web, dev.namespace, 'web-1', {
    status: 'POWERED_ON', printableStatus: 'Running', guestOs: 'Fedora 40', numCpus: 2, coresPerSocket: 1, memoryMb: 4096,
    interfaces: [{ name: 'default', ipAddress: '10.128.0.5', macAddress: '02:00:00:00:00:01' }],
  });
  const web2 = seedVm(t.db, web, dev.namespace, 'web-2', { status: 'POWERED_OFF' });
  const betaVm = seedVm(t.db, betaApp, betaVdc.namespace, 'beta-1', { status: 'FAILED', statusMessage: 'ErrImagePull' });
  return { ...w, dev, test, betaVdc, web, db, betaApp, web1, web2, betaVm, userId };
}
