-- 003: the vocabulary per index section, for the similar-word candidates of
-- short queries (TMKit's Matcher: a query of at most three tokens also
-- takes the segments holding a word spelt like one of its words, from the
-- whole vocabulary; Documentation/Lookup.md "Short queries").
--
--   word     a token as the lookup index holds it (LookupKeys' key tokens)
--   nbytes   its length in UTF-8 bytes
--   mask     its byte classes as 64 bits (a–z, 0–9, 28 classes for the other
--            bytes): with nbytes, a bound on the character similarity that
--            rules most words out without comparing them
--   unit_id  a unit whose entry in this section holds the word (the first
--            one stored), so a lookup can give the word to its in-memory
--            index even when none of its segments is a candidate
--
-- Filled by appends and the first load (computed by TMKit in the store,
-- never in SQL). A memory loaded before this migration gets its words from
-- the store when the migration is applied (PostgresMigrations.backfill).
CREATE TABLE tm_words (
  section smallint NOT NULL,
  word text NOT NULL,
  nbytes smallint NOT NULL,
  mask bigint NOT NULL,
  unit_id bigint NOT NULL,
  PRIMARY KEY (section, word)
);
CREATE INDEX tm_words_length ON tm_words (section, nbytes) INCLUDE (mask);
