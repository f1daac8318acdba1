import { describe, it, expect, beforeEach } from 'vitest';
import { asc, sql } from 'drizzle-orm';
import { real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { openDb, type Db } from '#db/client.ts';
import { vdcs } from '#db/schema.ts';
import { fragment, tableReader } from '#db/rows.ts';
import { seedOrg, seedVdc } from '#test/support/fixtures.ts';

describe('tableReader', () => {
  let db: Db;
  beforeEach(() => {
    db = openDb(':memory:');
    const org = seedOrg(db, 'Acme');
    // Every decoder kind: booleans both ways, JSON arrays and objects, JSON and text NULLs.
    seedVdc(db, org.id, 'a', {
      storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 2048, default: true }],
      providerVdc: { name: 'pvdc', id: 'urn:vcloud:providervdc:1' }, isThinProvision: false, isEnabled: true,
      needsReconcile: true, statusMessage: 'waiting', description: 'quote " and ünïcode',
    });
    seedVdc(db, org.id, 'b', { providerVdc: null, isEnabled: false, statusMessage: null, cpuLimit: 2 ** 40 });
  });

  it('reads rows exactly as drizzle selects them', () => {
    const reader = tableReader(vdcs, 'vdcs');
    const raw = db.$client.prepare(`SELECT ${reader.columns} FROM "vdcs" ORDER BY "vdcs"."name"`).raw(true).all() as unknown[][];
    expect(raw.map((r) => reader.read(r))).toEqual(db.select().from(vdcs).orderBy(asc(vdcs.name)).all());
  });

  it('reads rows from json_array(jsonColumns) exactly as drizzle selects them', () => {
    const reader = tableReader(vdcs, 'vdcs');
    const texts = db.$client.prepare(`SELECT json_array(${reader.jsonColumns!}) FROM "vdcs" ORDER BY "vdcs"."name"`).pluck(true).all() as string[];
    expect(texts.map((t) => reader.readJson(JSON.parse(t)))).toEqual(db.select().from(vdcs).orderBy(asc(vdcs.name)).all());
  });

  it('offers no JSON form for a table with a REAL column (SQLite prints those with 15 digits)', () => {
    const t = sqliteTable('t', { id: text('id').primaryKey(), x: real('x') });
    expect(tableReader(t, 't').jsonColumns).toBeUndefined();
  });

  it('reads a row that starts further along the values', () => {
    const reader = tableReader(vdcs, 'vdcs');
    const [r] = db.$client.prepare(`SELECT 'x', ${reader.columns}, 'y' FROM "vdcs" WHERE "vdcs"."name" = 'b'`).raw(true).all() as unknown[][];
    expect(reader.read(r!, 1)).toEqual(db.select().from(vdcs).where(sql`${vdcs.name} = 'b'`).get());
    expect(r![1 + reader.width]).toBe('y');
  });
});

describe('fragment', () => {
  it('gives qualified column names and bound parameters', () => {
    expect(fragment(sql`${vdcs.name} = ${'x'} AND ${vdcs.isEnabled} = ${1}`)).toEqual({
      text: '"vdcs"."name" = ? AND "vdcs"."is_enabled" = ?', params: ['x', 1],
    });
  });
});
