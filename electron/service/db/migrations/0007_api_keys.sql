-- Read-only keys and paired devices' keys. Only a SHA-256 of each key is kept: the key is
-- shown once (read-only keys) or sent once to the paired desk, and a copied database (a bug
-- report) gives nobody a working key. The full API key stays in keys.json.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'device')),
  key_hash TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  last_seen INTEGER,
  last_from TEXT NOT NULL DEFAULT ''
);
