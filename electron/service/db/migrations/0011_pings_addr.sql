-- Host-quiet grouping finds the checks that pinged from one source address without reading
-- every check. Pings from the Lubdub machine itself, and without an address, are never
-- grouped: they are left out of the index (the condition is repeated word for word in the
-- query, so SQLite can use this partial index).
CREATE INDEX pings_addr ON pings (remote_addr, check_id) WHERE remote_addr NOT IN ('', '127.0.0.1', '::1', '::ffff:127.0.0.1');
