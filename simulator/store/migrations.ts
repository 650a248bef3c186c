import type { Migration } from '../../core/db.ts';
import { DURABLE_TIMERS_SQL } from '../../core/durable-timers.ts';

/** The simulator's schema. Append new migrations; never edit a released one. Times are epoch ms. */
export const simulatorMigrations: Migration[] = [
  {
    version: 1,
    name: 'dialer',
    up: `
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE pauses (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id_status INTEGER NOT NULL,
  name TEXT NOT NULL,
  system INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, id_status),
  UNIQUE (org_id, name)
);
CREATE TABLE agvs (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  extension TEXT NOT NULL,
  name TEXT NOT NULL,
  action TEXT NOT NULL,
  hold_seconds REAL NOT NULL,
  PRIMARY KEY (org_id, extension)
);
CREATE TABLE agents (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  dialer_user TEXT NOT NULL,
  name TEXT NOT NULL,
  extension TEXT,
  password_sealed TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'logged_out',
  id_status INTEGER,
  pending_id_status INTEGER,
  call_id TEXT,
  state_since INTEGER NOT NULL,
  logged_in_at INTEGER,
  PRIMARY KEY (org_id, dialer_user)
);
CREATE INDEX agents_available ON agents (org_id, state, state_since);
CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  service TEXT,
  pacing TEXT NOT NULL,
  route_to TEXT NOT NULL,
  seed TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'stopped',
  calls_started INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE leads (
  campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_outcome TEXT,
  PRIMARY KEY (campaign_id, id)
);
CREATE INDEX leads_next ON leads (campaign_id, status, next_attempt_at, seq);
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  campaign_id TEXT,
  lead_id TEXT,
  lead TEXT NOT NULL,
  parent_call_id TEXT,
  origin TEXT NOT NULL,
  origin_extension TEXT,
  state TEXT NOT NULL,
  outcome TEXT,
  dialer_user TEXT,
  agv_extension TEXT,
  transferred_to TEXT,
  plan TEXT,
  started_at INTEGER NOT NULL,
  answered_at INTEGER,
  offered_at INTEGER,
  connected_at INTEGER,
  ended_at INTEGER,
  ended_by TEXT
);
CREATE INDEX calls_org_state ON calls (org_id, state, answered_at);
CREATE INDEX calls_campaign_state ON calls (campaign_id, state);
CREATE TABLE dispositions (
  call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL,
  dialer_user TEXT,
  tag_code TEXT NOT NULL,
  notes TEXT NOT NULL,
  idempotency_key TEXT,
  request_hash TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_org ON events (org_id, id);
${DURABLE_TIMERS_SQL}
`,
  },
  {
    version: 2,
    name: 'sip secret per login',
    up: 'ALTER TABLE agents ADD COLUMN sip_secret_sealed TEXT',
  },
];
