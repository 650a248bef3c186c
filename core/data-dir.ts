import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Folders that hold what must stay private (leads' CPFs and phones, password hashes, the secrets key, private keys):
 * 0700 folders and 0600 files, created that way (never created open, then narrowed) and narrowed when an older
 * version left them open. Each folder the program creates also gets a `.gitignore` of `*`, so a `--data` folder
 * inside a clone is never committed by accident.
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const GITIGNORE = '.gitignore';

/** POSIX modes only: Windows has no such bits (chmod there only toggles read-only). */
const posix = process.platform !== 'win32';

export interface PrivateDir {
  dir: string;
  /** The folders this call created, outermost first (what to remove if the start it belongs to fails). */
  created: string[];
  /** False when the folder holds files the program does not own: its mode and .gitignore were left alone. */
  owned: boolean;
}

/** Creates `dir` (and missing parents) with mode 0700; returns the folders it created, outermost first. */
function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  if (missing.length > 0) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return missing;
}

export interface PrivateDirRules {
  /** The entries the program puts in this folder (a folder holding only these, or nothing, is the program's own). */
  owns: (name: string) => boolean;
  /** The files to keep 0600; default: every entry it owns. */
  secret?: (name: string) => boolean;
}

/**
 * Makes `dir` a private folder: created 0700 with a `.gitignore` of `*` when missing. An existing folder that holds
 * only the program's own entries is narrowed to 0700 and given the `.gitignore` too; a folder shared with other files
 * (say `--data ~`) keeps its mode. Either way every secret file in it is narrowed to 0600.
 */
export function ensurePrivateDir(dir: string, rules: PrivateDirRules): PrivateDir {
  const created = makeDirs(dir);
  const entries = readdirSync(dir);
  const owned = created.length > 0 || entries.every((name) => name === GITIGNORE || rules.owns(name));
  if (owned) {
    if (posix) chmodSync(dir, PRIVATE_DIR_MODE);
    if (!entries.includes(GITIGNORE)) writeFileSync(join(dir, GITIGNORE), '*\n', { mode: 0o644 });
  }
  const secret = rules.secret ?? rules.owns;
  for (const name of entries) if (secret(name)) restrictFile(join(dir, name));
  return { dir: resolve(dir), created, owned };
}

/** Narrows an existing regular file to 0600 (symbolic links and folders are left alone). */
export function restrictFile(file: string): void {
  if (!posix || !existsSync(file)) return;
  const st = lstatSync(file);
  if (st.isFile() && (st.mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Creates `file` empty with mode 0600 if missing (its folder 0700 if missing), else narrows it to 0600. For files
 * another library then writes into: SQLite, for one, gives its -wal and -shm files the main file's mode.
 */
export function createPrivateFile(file: string): void {
  makeDirs(dirname(file));
  if (existsSync(file)) restrictFile(file);
  else closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
}

/** Removes the folders a failed start created (outermost first: removing it removes the rest). */
export function removeCreated(dirs: readonly string[]): void {
  const outermost = dirs[0];
  if (outermost) rmSync(outermost, { recursive: true, force: true });
}
