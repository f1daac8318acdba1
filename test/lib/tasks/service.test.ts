import { describe, it, expect, beforeEach } from 'vitest';
import { openDb, type Db } from '#db/client.ts';
import { seedOrg } from '#test/support/fixtures.ts';
import { finishTask, getTask, pruneTasks, setTaskProgress, startTask, TASK_RETENTION_MS } from '#lib/tasks/service.ts';

describe('lib/tasks/service', () => {
  let db: Db;
  let orgId: string;
  beforeEach(() => {
    db = openDb(':memory:');
    orgId = seedOrg(db, 'Acme').id;
  });

  const start = (now: number) => startTask(db, {
    operationName: 'vmPowerOn', operation: 'Powering on', owner: { type: 'vm', id: 'vm-1', name: 'vm' },
    user: { id: 'u-1', name: 'alice' }, org: { id: orgId, name: 'Acme' },
  }, now);

  it('starts a running task at progress 0', () => {
    const row = start(1000);
    expect(getTask(db, row.id)).toMatchObject({ status: 'running', progress: 0, startTime: 1000, endTime: null, ownerType: 'vm', userName: 'alice' });
  });

  it('records progress only while running, below 100', () => {
    const row = start(1000);
    expect(setTaskProgress(db, row.id, 250)).toBe(true);
    expect(getTask(db, row.id)!.progress).toBe(99);
    finishTask(db, row.id, { status: 'success' }, 2000);
    expect(setTaskProgress(db, row.id, 10)).toBe(false);
    expect(getTask(db, row.id)!.progress).toBe(100);
  });

  it('keeps the first outcome of a task', () => {
    const row = start(1000);
    expect(finishTask(db, row.id, { status: 'error', error: { minorErrorCode: 'BAD_REQUEST', message: 'timed out' } }, 2000)).toBe(true);
    expect(finishTask(db, row.id, { status: 'success' }, 3000)).toBe(false);
    expect(getTask(db, row.id)).toMatchObject({ status: 'error', errorCode: 'BAD_REQUEST', errorMessage: 'timed out', endTime: 2000 });
  });

  it('prunes only tasks that finished more than 24 hours ago', () => {
    const now = 10 * TASK_RETENTION_MS;
    const old = start(0);
    finishTask(db, old.id, { status: 'success' }, now - TASK_RETENTION_MS - 1);
    const recent = start(0);
    finishTask(db, recent.id, { status: 'success' }, now - TASK_RETENTION_MS + 1000);
    const running = start(0);
    // A shorter retention than the contract's day is not honoured.
    expect(pruneTasks(db, now, 1000)).toBe(1);
    expect(getTask(db, old.id)).toBeUndefined();
    expect(getTask(db, recent.id)).toBeDefined();
    expect(getTask(db, running.id)).toBeDefined();
  });
});
