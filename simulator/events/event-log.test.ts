import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { migrate, openDatabase } from '../../core/db.ts';
import { simulatorMigrations } from '../store/migrations.ts';
import { EventLog } from './event-log.ts';

function setup() {
  const db = openDatabase(':memory:');
  migrate(db, simulatorMigrations);
  const log = new EventLog(db, new VirtualClock(0));
  const wakes: string[] = [];
  log.subscribe('acme', () => wakes.push('acme'));
  log.subscribe('other', () => wakes.push('other'));
  const connected = (org: string, callId: string) => log.append(org, 'call.connected', { callId, dialerUser: 'ana' });
  return { db, log, wakes, connected };
}

describe('EventLog wake-ups', () => {
  it('wakes an organization’s listeners once when the transaction that appended its events commits', () => {
    const { db, log, wakes, connected } = setup();
    db.transaction(() => {
      connected('acme', 'c1');
      connected('acme', 'c2');
      expect(wakes).toEqual([]);
    })();
    expect(wakes).toEqual(['acme']);
    expect(log.after('acme', 0).map((e) => e.data)).toEqual([
      { callId: 'c1', dialerUser: 'ana' },
      { callId: 'c2', dialerUser: 'ana' },
    ]);
  });

  it('wakes nobody for events whose transaction rolled back', () => {
    const { db, log, wakes, connected } = setup();
    expect(() =>
      db.transaction(() => {
        connected('acme', 'c1');
        throw new Error('the state change failed');
      })(),
    ).toThrow('the state change failed');
    expect(wakes).toEqual([]);
    expect(log.lastId('acme')).toBe(0);
  });

  it('an event appended outside a transaction wakes its organization’s listeners at once, and only them', () => {
    const { wakes, connected } = setup();
    connected('other', 'c1');
    expect(wakes).toEqual(['other']);
  });
});
