-- 002: intarray (PostgreSQL contrib, a trusted extension) for the lookup's
-- shared-token bound: icount(keys & query keys) counts, in C, the query's
-- tokens a candidate holds (the SQL it replaces, unnest and a sum per
-- candidate row, cost about 9 µs a row at 1M units against 1 µs).
--
-- In its own schema, off the search path: installed in public, intarray's
-- `&&` for integer[] would hide the built-in one, and the GIN index on
-- tm_entries.keys (array_ops) would no longer be used. The store's SQL names
-- the built-in operator (OPERATOR(pg_catalog.&&)) anyway, and finds the
-- extension's schema at run time, so a database that already has intarray
-- elsewhere keeps it there. Without the extension (no contrib package, or
-- no right to create it) the lookup computes the same bound in plain SQL.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'intarray') THEN
    CREATE SCHEMA IF NOT EXISTS tm_ext;
    CREATE EXTENSION intarray SCHEMA tm_ext;
  END IF;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'intarray is not available (%): lookups compute the shared-token bound in plain SQL', SQLERRM;
END
$$;
