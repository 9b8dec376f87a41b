-- 001: units, their index entries and the token statistics lookup uses.
--
-- tm_units: one row per translation unit, texts NFC, absent language NULL.
-- text_hash is the identity used for dedupe (every language's text, as in the
-- TSV memory's UnitKey); the unique index makes concurrent appends from any
-- number of servers safe: a duplicate loses the race and is skipped.
CREATE TABLE tm_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE tm_units (
  id bigserial PRIMARY KEY,
  az text,
  az_cyrl text,
  ru text,
  en text,
  origin text NOT NULL DEFAULT '',
  created text NOT NULL DEFAULT '',
  score double precision,
  text_hash bytea NOT NULL GENERATED ALWAYS AS (decode(md5(
    length(coalesce(az, ''))::text || ':' || coalesce(az, '') || '|' ||
    length(coalesce(az_cyrl, ''))::text || ':' || coalesce(az_cyrl, '') || '|' ||
    length(coalesce(ru, ''))::text || ':' || coalesce(ru, '') || '|' ||
    length(coalesce(en, ''))::text || ':' || coalesce(en, '')), 'hex')) STORED
);
CREATE UNIQUE INDEX tm_units_text_hash ON tm_units (text_hash);

-- tm_entries: what the lookup index holds per unit and section (az, ru, en;
-- both scripts of Azerbaijani share the az section), computed by TMKit's
-- LookupKeys in the store, never in SQL:
--   len        the key's token count
--   exact_hash FNV-1a of the NFC text, seeded by section
--   skel_hash  FNV-1a of LookupKeys.skeleton, seeded by section
--   keys       one 32-bit signature per distinct token: hash(section, token,
--              len). Length is part of the key, so the GIN index answers
--              "segments of length lo…hi holding one of these tokens" with
--              exact lookups only (a hash collision only adds a candidate;
--              the final score is computed by TMKit's Matcher).
CREATE TABLE tm_entries (
  unit_id bigint NOT NULL REFERENCES tm_units (id) ON DELETE CASCADE,
  section smallint NOT NULL,
  len integer NOT NULL,
  exact_hash bigint NOT NULL,
  skel_hash bigint NOT NULL,
  keys integer[] NOT NULL,
  PRIMARY KEY (unit_id, section)
);
CREATE INDEX tm_entries_keys ON tm_entries USING gin (keys);
CREATE INDEX tm_entries_exact ON tm_entries (exact_hash);
CREATE INDEX tm_entries_skel ON tm_entries (skel_hash);

-- tm_tokens: document frequency per (section, token) signature, so a lookup
-- reads the postings of the query's rarest tokens first (prefix filtering,
-- as the TSV index does). It only steers which tokens are read; results do
-- not depend on it.
CREATE TABLE tm_tokens (
  key integer PRIMARY KEY,
  df integer NOT NULL
);
