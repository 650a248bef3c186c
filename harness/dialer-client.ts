import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, migrate, openDatabase } from '../core/db.ts';
import { DialerClient, type DialerClientOptions } from '../integration/dialer/client.ts';
import { DialerClients, type DialerSettings } from '../integration/dialer/clients.ts';
import { integrationMigrations } from '../integration/store/migrations.ts';
import type { TestSimulator } from './simulator.ts';

/** For tests: a client of the test simulator's organization that pins its server certificate. */
export function testDialerClient(t: TestSimulator, opts: Partial<DialerClientOptions> = {}): DialerClient {
  return new DialerClient({
    baseUrl: t.listening.url,
    dialerKey: t.key,
    certificatePem: t.certs.server.certPem,
    backoffMs: 10,
    ...opts,
  });
}

/** Settings of one Omni organization ('omni-acme' by default) pointing at the test simulator. */
export function testDialerClients(t: TestSimulator, orgId = 'omni-acme', opts: Partial<DialerClientOptions> = {}) {
  const settings = new Map<string, DialerSettings>([
    [orgId, { dialerUrl: t.listening.url, dialerKey: t.key, certificatePem: t.certs.server.certPem }],
  ]);
  return { clients: new DialerClients((id) => settings.get(id), { backoffMs: 10, ...opts }), settings, orgId };
}

/**
 * A migrated SQLite file in a fresh temporary folder, with the organizations the tests use (outbox items and cursors
 * belong to one); `reopen()` opens the same file again (a restart).
 */
export function testDatabase(orgIds: string[] = ['omni-acme', 'o', 'x']): { file: string; db: Db; reopen(): Db } {
  const file = join(mkdtempSync(join(tmpdir(), 'dsh-dialer-')), 'omni.sqlite');
  const open = () => {
    const db = openDatabase(file);
    migrate(db, integrationMigrations);
    for (const id of orgIds)
      db.prepare('INSERT OR IGNORE INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)').run(
        id,
        id,
      );
    return db;
  };
  return { file, db: open(), reopen: open };
}

/** Polls `cond` in real time (network work is under way) until it holds. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 5_000, what = 'condition'): Promise<void> {
  const start = performance.now();
  while (!(await cond())) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
