import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { afterCommit, trackCommits } from './after-commit.ts';
import { openDatabase } from './db.ts';

function setup() {
  const db = openDatabase(':memory:');
  db.exec('CREATE TABLE things (name TEXT NOT NULL)');
  const insert = (name: string) => db.prepare('INSERT INTO things (name) VALUES (?)').run(name);
  const names = () =>
    (db.prepare('SELECT name FROM things ORDER BY rowid').all() as { name: string }[]).map((r) => r.name);
  const ran: string[] = [];
  const effect = (name: string) => () => {
    ran.push(name);
  };
  return { db, insert, names, ran, effect };
}

describe('afterCommit', () => {
  it('runs the effects of a transaction once it commits, in the order they were registered', () => {
    const { db, insert, ran, effect } = setup();
    db.transaction(() => {
      insert('a');
      afterCommit(db, effect('first'));
      afterCommit(db, effect('second'));
      expect(ran).toEqual([]);
    })();
    expect(ran).toEqual(['first', 'second']);
  });

  it('an effect sees the committed rows and runs outside the transaction', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dsh-after-commit-')), 'x.sqlite');
    const db = openDatabase(file);
    db.exec('CREATE TABLE things (name TEXT NOT NULL)');
    const reader = new Database(file, { readonly: true });
    const seen: Array<{ rows: number; inTransaction: boolean }> = [];
    db.transaction(() => {
      db.prepare("INSERT INTO things (name) VALUES ('a')").run();
      afterCommit(db, () =>
        seen.push({
          rows: (reader.prepare('SELECT COUNT(*) AS n FROM things').get() as { n: number }).n,
          inTransaction: db.inTransaction,
        }),
      );
    })();
    expect(seen).toEqual([{ rows: 1, inTransaction: false }]);
    reader.close();
    db.close();
  });

  it('drops the effects of a transaction that rolls back', () => {
    const { db, insert, names, ran, effect } = setup();
    expect(() =>
      db.transaction(() => {
        insert('a');
        afterCommit(db, effect('never'));
        throw new Error('the change failed');
      })(),
    ).toThrow('the change failed');
    db.transaction(() => afterCommit(db, effect('later')))();
    expect(names()).toEqual([]);
    expect(ran).toEqual(['later']);
  });

  it('an inner savepoint that rolls back drops only its own effects when the outer transaction commits', () => {
    const { db, insert, names, ran, effect } = setup();
    db.transaction(() => {
      insert('outer');
      afterCommit(db, effect('outer-before'));
      db.transaction(() => {
        insert('kept-inner');
        afterCommit(db, effect('kept-inner'));
      })();
      try {
        db.transaction(() => {
          insert('failed-inner');
          afterCommit(db, effect('failed-inner'));
          db.transaction(() => afterCommit(db, effect('nested-in-failed')))();
          throw new Error('this part fails');
        })();
      } catch {
        // the outer transaction survives its savepoint's failure
      }
      afterCommit(db, effect('outer-after'));
      expect(ran).toEqual([]);
    })();
    expect(names()).toEqual(['outer', 'kept-inner']);
    expect(ran).toEqual(['outer-before', 'kept-inner', 'outer-after']);
  });

  it('a committed savepoint’s effects still wait for the outer transaction, and go if it rolls back', () => {
    const { db, ran, effect } = setup();
    expect(() =>
      db.transaction(() => {
        db.transaction(() => afterCommit(db, effect('inner')))();
        expect(ran).toEqual([]);
        throw new Error('the outer change failed');
      })(),
    ).toThrow('the outer change failed');
    expect(ran).toEqual([]);
  });

  it('outside a transaction an effect runs at once', () => {
    const { db, ran, effect } = setup();
    afterCommit(db, effect('now'));
    expect(ran).toEqual(['now']);
  });

  it('an effect that throws is reported and does not stop the others', () => {
    const db = new Database(':memory:');
    const reported: unknown[] = [];
    trackCommits(db, (err) => reported.push(err));
    const ran: string[] = [];
    db.transaction(() => {
      afterCommit(db, () => ran.push('before'));
      afterCommit(db, () => {
        throw new Error('the effect failed');
      });
      afterCommit(db, () => ran.push('after'));
    })();
    expect(ran).toEqual(['before', 'after']);
    expect(reported).toEqual([new Error('the effect failed')]);
  });

  it('effects registered by an effect run after the ones already waiting, in the same pass, never nested', () => {
    const { db, insert, ran, effect } = setup();
    db.transaction(() => {
      afterCommit(db, () => {
        ran.push('first:start');
        afterCommit(db, effect('from-first, outside a transaction'));
        db.transaction(() => {
          insert('by-first');
          afterCommit(db, effect('from-first, in its transaction'));
        })();
        ran.push('first:end');
      });
      afterCommit(db, effect('second'));
    })();
    expect(ran).toEqual([
      'first:start',
      'first:end',
      'second',
      'from-first, outside a transaction',
      'from-first, in its transaction',
    ]);
  });

  it('the same function registered twice before it runs runs once; registered again after, runs again', () => {
    const { db, ran } = setup();
    const wake = () => ran.push('wake');
    db.transaction(() => {
      afterCommit(db, wake);
      db.transaction(() => afterCommit(db, wake))();
      afterCommit(db, wake);
    })();
    expect(ran).toEqual(['wake']);
    db.transaction(() => afterCommit(db, wake))();
    expect(ran).toEqual(['wake', 'wake']);
  });

  it('keeps the transaction variants and return values', () => {
    const { db, insert, names, ran, effect } = setup();
    const add = db.transaction((name: string) => {
      insert(name);
      afterCommit(db, effect(name));
      return name.length;
    });
    expect(add.immediate('abc')).toBe(3);
    expect(add.exclusive('de')).toBe(2);
    expect(add.deferred('f')).toBe(1);
    expect(add.default('gh')).toBe(2);
    expect(names()).toEqual(['abc', 'de', 'f', 'gh']);
    expect(ran).toEqual(['abc', 'de', 'f', 'gh']);
  });

  it('refuses a database whose commits are not tracked, saying how to open it', () => {
    const db = new Database(':memory:');
    expect(() => afterCommit(db, () => {})).toThrow(/openDatabase/);
  });
});
