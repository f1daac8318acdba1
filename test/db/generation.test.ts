import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDb, closeDb, type Db } from '#db/client.ts';
import { dbGeneration, GenerationGate } from '#db/generation.ts';
import { orgs } from '#db/schema.ts';
import { seedOrg } from '#test/support/fixtures.ts';

describe('dbGeneration', () => {
  const open: Db[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    open.splice(0).forEach(closeDb);
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('stays the same across reads and moves with every insert, update and delete', () => {
    const db = openDb(':memory:');
    open.push(db);
    const g0 = dbGeneration(db);
    db.select().from(orgs).all();
    expect(dbGeneration(db)).toBe(g0);
    const org = seedOrg(db, 'Acme');
    const g1 = dbGeneration(db);
    expect(g1).not.toBe(g0);
    db.update(orgs).set({ description: 'x' }).where(eq(orgs.id, org.id)).run();
    const g2 = dbGeneration(db);
    expect(g2).not.toBe(g1);
    db.delete(orgs).where(eq(orgs.id, org.id)).run();
    expect(dbGeneration(db)).not.toBe(g2);
  });

  it('does not move for a write that changed no row', () => {
    const db = openDb(':memory:');
    open.push(db);
    const g = dbGeneration(db);
    db.update(orgs).set({ description: 'x' }).where(eq(orgs.id, 'nobody')).run();
    expect(dbGeneration(db)).toBe(g);
  });

  it('moves when another connection (the admin command) commits to the same file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssvirt-gen-'));
    dirs.push(dir);
    const server = openDb(join(dir, 'db.sqlite'));
    const admin = openDb(join(dir, 'db.sqlite'));
    open.push(server, admin);
    const g = dbGeneration(server);
    seedOrg(admin, 'Other');
    expect(dbGeneration(server)).not.toBe(g);
  });

  it('is read right even after the statement cache handed the same text out in object mode', () => {
    const db = openDb(':memory:');
    open.push(db);
    dbGeneration(db);
    db.$client.prepare('SELECT total_changes(), data_version FROM pragma_data_version').get();
    expect(dbGeneration(db)).toMatch(/^\d+\.\d+$/);
  });
});

describe('GenerationGate', () => {
  it('reports a move once and holds only the newest generation', () => {
    const gate = new GenerationGate();
    expect(gate.advance('1.1')).toBe(true);
    expect(gate.advance('1.1')).toBe(false);
    expect(gate.holds('1.1')).toBe(true);
    expect(gate.advance('2.1')).toBe(true);
    expect(gate.holds('1.1')).toBe(false);
  });
});
