import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/db.ts';
import { type LiveChange, LiveFeed } from './live-feed.ts';

function setup() {
  const db = openDatabase(':memory:');
  const feed = new LiveFeed(db);
  const seen: Array<[string, LiveChange]> = [];
  feed.subscribe('acme', (c) => seen.push(['acme', c]));
  feed.subscribe('other', (c) => seen.push(['other', c]));
  return { db, feed, seen };
}

describe('LiveFeed', () => {
  it('tells an organization’s subscribers each change once its transaction commits, in order', () => {
    const { db, feed, seen } = setup();
    db.transaction(() => {
      feed.publish('acme', { kind: 'attendance', attendanceId: 'a1' });
      feed.publish('acme', { kind: 'agent', userId: 'u1' });
      expect(seen).toEqual([]);
    })();
    expect(seen).toEqual([
      ['acme', { kind: 'attendance', attendanceId: 'a1' }],
      ['acme', { kind: 'agent', userId: 'u1' }],
    ]);
  });

  it('never tells a change whose transaction rolled back', () => {
    const { db, feed, seen } = setup();
    expect(() =>
      db.transaction(() => {
        feed.publish('acme', { kind: 'alert', alertId: 7 });
        throw new Error('the change failed');
      })(),
    ).toThrow('the change failed');
    feed.publish('other', { kind: 'alert', alertId: 8 });
    expect(seen).toEqual([['other', { kind: 'alert', alertId: 8 }]]);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const { db, feed, seen } = setup();
    const late: LiveChange[] = [];
    const unsubscribe = feed.subscribe('acme', (c) => late.push(c));
    db.transaction(() => {
      feed.publish('acme', { kind: 'agent', userId: 'u1' });
      unsubscribe();
    })();
    expect(late).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});
