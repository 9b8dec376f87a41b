-- 004: the GIN index on tm_entries.keys, one per index section (az 0, ru 1,
-- en 2: EntryKeys.sections) instead of one for all.
--
-- Every query on the keys already asks for one section (a posting key is
-- hash(section, token, length), and the statements say which section they
-- read), so each is answered by its section's index alone. Why: PostgreSQL
-- 15 builds a GIN index on one core, and at 1M units that build was the
-- longest step of the first load after the COPY (about a third of its
-- time). Per section the builds run side by side on two connections
-- (PostgresBulkLoad.swift); the three indexes hold together what the one
-- did. Here, on a memory already stored, the one index is rebuilt as three
-- (at 1M units some ten seconds, once, at start).
SET LOCAL maintenance_work_mem = '512MB';
CREATE INDEX tm_entries_keys_az ON tm_entries USING gin (keys) WHERE section = 0;
CREATE INDEX tm_entries_keys_ru ON tm_entries USING gin (keys) WHERE section = 1;
CREATE INDEX tm_entries_keys_en ON tm_entries USING gin (keys) WHERE section = 2;
DROP INDEX tm_entries_keys;
