import type { Migration } from '../../core/db.ts';
import { DURABLE_TIMERS_SQL } from '../../core/durable-timers.ts';
import { migration2 } from './migration-2.ts';
import { migration3 } from './migration-3.ts';

/** The Omni side's schema. Append new migrations; never edit a released one. Times are epoch ms. */
export const integrationMigrations: Migration[] = [
  {
    version: 1,
    name: 'omni',
    up: `
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  dialer_key_sealed TEXT,
  dialer_url TEXT,
  webrtc_url TEXT,
  certificate_pem TEXT,
  certificate_info TEXT,
  auto_tabulation INTEGER NOT NULL DEFAULT 1,
  tabulation_seconds INTEGER NOT NULL DEFAULT 30,
  auto_tag_code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash TEXT NOT NULL,
  use_dialer INTEGER NOT NULL DEFAULT 0,
  dialer_user TEXT,
  dialer_password_sealed TEXT,
  slots INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, username)
);
-- Two Omni users on one dialer login would log each other out.
CREATE UNIQUE INDEX users_dialer_user ON users (org_id, dialer_user) WHERE dialer_user IS NOT NULL;
CREATE TABLE services (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  identifier TEXT NOT NULL,
  UNIQUE (org_id, identifier)
);
CREATE TABLE user_services (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, service_id)
);
CREATE TABLE pauses (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  id_status INTEGER NOT NULL,
  UNIQUE (org_id, name),
  UNIQUE (org_id, id_status)
);
CREATE TABLE tags (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (org_id, code)
);
CREATE TABLE tag_services (
  tag_id TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  PRIMARY KEY (tag_id, service_id)
);

-- Omni sessions (token auth). The user's configuration is copied at login: changes apply at the next login.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  config TEXT NOT NULL,
  -- the dialer user of the session's configuration (copied at login), to find the session of a dialer event fast
  dialer_user TEXT,
  dialer_status TEXT NOT NULL,
  dialer_reason TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id, ended_at);
CREATE INDEX sessions_dialer_user ON sessions (org_id, dialer_user, ended_at);

-- The agent's state at the dialer as Omni knows it (from the dialer's events).
CREATE TABLE agent_states (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  dialer_state TEXT NOT NULL,
  pause_id TEXT,
  id_status INTEGER,
  unmapped_id_status INTEGER,
  pending_id_status INTEGER,
  since INTEGER NOT NULL
);
CREATE TABLE pause_periods (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  pause_id TEXT,
  id_status INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX pause_periods_user ON pause_periods (user_id, ended_at);

-- Attendances of media Discador. One per dialer call leg; occupies a slot of its agent until finalized.
CREATE TABLE attendances (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  media TEXT NOT NULL DEFAULT 'dialer',
  user_id TEXT,
  dialer_user TEXT,
  service_id TEXT,
  call_id TEXT UNIQUE,
  campaign_id TEXT,
  origin_extension TEXT,
  lead TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'unrouted', 'offered', 'in_progress', 'wrap_up', 'finalized')),
  created_at INTEGER NOT NULL,
  offered_at INTEGER,
  connected_at INTEGER,
  ended_at INTEGER,
  wrap_up_deadline INTEGER,
  tag_code TEXT,
  notes TEXT NOT NULL DEFAULT '',
  finalized_at INTEGER,
  finalized_by TEXT CHECK (finalized_by IN ('agent', 'auto', 'supervisor')),
  finalized_by_user TEXT,
  -- slot release: the dialer made the agent available again, and the next attendance offered to them
  slot_freed_at INTEGER,
  next_offer_at INTEGER
);
CREATE INDEX attendances_user_state ON attendances (user_id, state);
CREATE INDEX attendances_org_state ON attendances (org_id, state, created_at);

-- What must reach the dialer: persisted before it is sent, retried until acknowledged, sent once.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ordering_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  response TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_ordering ON outbox (ordering_key, status, id);
CREATE INDEX outbox_status_id ON outbox (status, id);

-- Where each organization's consumer of the dialer's event stream is.
CREATE TABLE event_cursors (
  org_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  last_event_id INTEGER NOT NULL
);

-- Problems a supervisor must see (an AGV transfer with no service, an unknown pause…).
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL,
  at INTEGER NOT NULL,
  resolved_at INTEGER
);
${DURABLE_TIMERS_SQL}
`,
  },
  migration2,
  migration3,
];
