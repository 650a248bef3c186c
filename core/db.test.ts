import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './db.ts';

const migrations = [
  { version: 1, name: 'things', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' },
  { version: 2, name: 'colour', up: 'ALTER TABLE things ADD COLUMN colour TEXT' },
];

describe('migrate', () => {
  it('applies each migration once and records the version in the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dsh-db-')), 'x.sqlite');
    const db = openDatabase(file);
    expect(migrate(db, migrations)).toEqual([1, 2]);
    db.prepare("INSERT INTO things (name, colour) VALUES ('a', 'red')").run();
    db.close();
    const again = openDatabase(file);
    expect(migrate(again, migrations)).toEqual([]);
    expect(again.prepare('SELECT colour FROM things').get()).toEqual({ colour: 'red' });
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('rolls back a failing migration and leaves the version unchanged', () => {
    const db = openDatabase(':memory:');
    const bad = [...migrations, { version: 3, name: 'bad', up: 'ALTER TABLE nope ADD COLUMN x' }];
    expect(() => migrate(db, bad)).toThrow(/nope/);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('refuses a database newer than the program', () => {
    const db = openDatabase(':memory:');
    db.pragma('user_version = 9');
    expect(() => migrate(db, migrations)).toThrow(/newer than this program/);
  });
});
