import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrivateFile, ensurePrivateDir, removeCreated } from './data-dir.ts';
import { openDatabase } from './db.ts';
import { SecretBox } from './secrets.ts';

const root = mkdtempSync(join(tmpdir(), 'dsh-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;
const owns = (name: string) => /^(db\.sqlite(-wal|-shm)?|secret\.key)$/.test(name);

describe('private data folders', () => {
  it('a new folder is 0700 with a .gitignore of *, and says which folders it created', () => {
    const dir = join(root, 'new', 'data');
    const made = ensurePrivateDir(dir, { owns });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(root, 'new'))).toBe(0o700);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('*\n');
    expect(made).toEqual({ dir, created: [join(root, 'new'), dir], owned: true });
    removeCreated(made.created);
    expect(existsSync(join(root, 'new'))).toBe(false);
  });

  it('a SQLite database is 0600, and so are its -wal and -shm files', () => {
    const dir = join(root, 'db');
    const db = openDatabase(join(dir, 'db.sqlite'));
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const f of ['db.sqlite', 'db.sqlite-wal', 'db.sqlite-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    db.close();
  });

  it('narrows a folder and files an older version left open', () => {
    const dir = join(root, 'old');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const old = openDatabase(join(dir, 'db.sqlite'));
    old.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const f of ['db.sqlite', 'db.sqlite-wal', 'db.sqlite-shm']) chmodSync(join(dir, f), 0o644);
    writeFileSync(join(dir, 'secret.key'), 'k', { mode: 0o644 });
    chmodSync(join(dir, 'secret.key'), 0o644);

    ensurePrivateDir(dir, { owns });
    expect(mode(dir)).toBe(0o700);
    for (const f of ['db.sqlite', 'db.sqlite-wal', 'db.sqlite-shm', 'secret.key'])
      expect(mode(join(dir, f)), f).toBe(0o600);
    expect(existsSync(join(dir, '.gitignore'))).toBe(true);
    old.close();
  });

  it('opening a database narrows its files too, without the folder step', () => {
    const dir = join(root, 'reopen');
    const first = openDatabase(join(dir, 'db.sqlite'));
    first.exec('CREATE TABLE t (x)');
    first.close();
    chmodSync(join(dir, 'db.sqlite'), 0o644);
    openDatabase(join(dir, 'db.sqlite')).close();
    expect(mode(join(dir, 'db.sqlite'))).toBe(0o600);
  });

  it('leaves the mode of a folder shared with other files alone, and adds no .gitignore there', () => {
    const dir = join(root, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'notes.txt'), 'mine', { mode: 0o644 });
    writeFileSync(join(dir, 'secret.key'), 'k', { mode: 0o644 });
    chmodSync(join(dir, 'secret.key'), 0o644);
    expect(ensurePrivateDir(dir, { owns }).owned).toBe(false);
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, 'notes.txt'))).toBe(0o644);
    expect(mode(join(dir, 'secret.key'))).toBe(0o600);
    expect(existsSync(join(dir, '.gitignore'))).toBe(false);
  });

  it('narrows only the secret files when told which they are', () => {
    const dir = join(root, 'certs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ca.pem'), 'cert', { mode: 0o644 });
    writeFileSync(join(dir, 'ca.key'), 'key', { mode: 0o644 });
    chmodSync(join(dir, 'ca.key'), 0o644);
    ensurePrivateDir(dir, { owns: (n) => n.startsWith('ca.'), secret: (n) => n.endsWith('.key') });
    expect(mode(join(dir, 'ca.key'))).toBe(0o600);
    expect(mode(join(dir, 'ca.pem'))).toBe(0o644);
  });

  it('createPrivateFile creates 0600 and narrows an existing file; the secrets key is kept 0600', () => {
    const file = join(root, 'files', 'a');
    createPrivateFile(file);
    expect(mode(file)).toBe(0o600);
    chmodSync(file, 0o664);
    createPrivateFile(file);
    expect(mode(file)).toBe(0o600);

    const key = join(root, 'files', 'secret.key');
    SecretBox.fromKeyFile(key);
    expect(mode(key)).toBe(0o600);
    chmodSync(key, 0o644);
    SecretBox.fromKeyFile(key);
    expect(mode(key)).toBe(0o600);
  });
});
