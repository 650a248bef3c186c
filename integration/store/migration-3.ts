import type { Migration } from '../../core/db.ts';

/**
 * Users can be deactivated (their sessions end and they cannot log in); Omni remembers the dialer's system pauses
 * (LOGIN…) per organization, to name them in presence and reports although no Omni pause maps them.
 */
export const migration3: Migration = {
  version: 3,
  name: 'user-active-and-system-pauses',
  up: `
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
-- The dialer's system pauses as Omni last learned them: from the dialer's catalogue at a drift check
-- (learned_from 'catalogue'), or from the dialer putting an agent in its LOGIN pause ('event').
CREATE TABLE system_pauses (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id_status INTEGER NOT NULL,
  name TEXT NOT NULL,
  learned_from TEXT NOT NULL CHECK (learned_from IN ('catalogue', 'event')),
  learned_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, id_status)
);
`,
};
