import Database from 'better-sqlite3';
import { trackCommits } from './after-commit.ts';
import { createPrivateFile, restrictFile } from './data-dir.ts';

export type Db = Database.Database;

/** A numbered migration: applied once, in order, inside a transaction. */
export type Migration = { version: number; name: string; up: string | ((db: Db) => void) };

/**
 * The database holds leads' CPFs and phones and password hashes: its file is created 0600 (its folder 0700) before
 * SQLite opens it, since SQLite gives the -wal and -shm files the main file's mode; files an older version left open
 * are narrowed.
 */
function createDatabaseFilesPrivately(file: string): void {
  if (file === ':memory:' || file === '' || file.startsWith('file:')) return;
  createPrivateFile(file);
  for (const suffix of ['-wal', '-shm', '-journal']) restrictFile(`${file}${suffix}`);
}

/** Opens (creating if needed) a SQLite file in WAL mode, or `:memory:`. */
export function openDatabase(file: string): Db {
  createDatabaseFilesPrivately(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commit).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Compiling SQL costs more than running it for our small statements: keep each distinct statement once.
  // (Safe because nothing here uses .iterate(), which would tie a statement up while a caller holds the iterator.)
  const prepare = db.prepare.bind(db);
  const statements = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  }) as typeof db.prepare;
  // Effects that must follow a commit (event stream, outbox, live feed, call offers) wait for it: see afterCommit.
  trackCommits(db);
  return db;
}

/** Applies the migrations newer than the file's `user_version`. Returns the versions applied. */
export function migrate(db: Db, migrations: readonly Migration[]): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > sorted.length) {
    throw new Error(
      `database schema is version ${current}, newer than this program knows (${sorted.length}); upgrade ds-harness`,
    );
  }
  const applied: number[] = [];
  for (const m of sorted.slice(current)) {
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/** JSON column helpers: SQLite stores text, the domain sees values. */
export const toJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
export const fromJson = <T>(s: string | null | undefined): T | undefined =>
  s === null || s === undefined ? undefined : (JSON.parse(s) as T);
