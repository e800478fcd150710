-- The many-small-tables corpus (BENCH_CORPUS=smalltables): the shape of a multi-tenant SaaS schema, where the
-- catalog, not the rows, is most of the work. psql variables: :tables (plain tables, default 2000) and :scale
-- (row factor). Deterministic: rows come from generate_series and hashes, no random().
--   app.t0001 .. app.tNNNN: bigserial key, tenant, name, status, jsonb settings, timestamps; an index on
--     (tenant_id, created_at). Sizes as in such schemas: most tables hold a few dozen rows (configuration, lookups),
--     one in 10 some hundreds, one in 100 some thousands.
--   app.events: range-partitioned by month (24 partitions), a key and an index on every partition; 120k rows.
--   app.audit: hash-partitioned (16 partitions); 60k rows.
--   app.documents: TOAST-heavy (20 kB of text and 4 kB of bytea per row); 1,000 rows.
--   200 large objects of 64 kB.
-- Tables are created and filled in batches of 100, each committed: one transaction for all would need a lock for
-- every relation it creates, beyond the default lock table.
SELECT set_config('bench.tables', :'tables', false), set_config('bench.scale', :'scale', false) \gset
CREATE SCHEMA app;
DO $$
DECLARE
    n int := current_setting('bench.tables')::int;
    scale numeric := current_setting('bench.scale')::numeric;
    name text;
    rows bigint;
BEGIN
    FOR i IN 1..n LOOP
        name := 't' || lpad(i::text, 4, '0');
        rows := ceil(scale * CASE WHEN i % 100 = 0 THEN 5000 WHEN i % 10 = 0 THEN 500 ELSE 10 + i % 40 END);
        EXECUTE format($t$
            CREATE TABLE app.%1$I (
                id bigserial PRIMARY KEY,
                tenant_id int NOT NULL,
                name text NOT NULL,
                status smallint NOT NULL DEFAULT 0,
                settings jsonb,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz)$t$, name);
        EXECUTE format('CREATE INDEX %2$I ON app.%1$I (tenant_id, created_at)', name, name || '_tenant_idx');
        EXECUTE format($i$
            INSERT INTO app.%1$I (tenant_id, name, status, settings, created_at, updated_at)
            SELECT abs(hashint4(g + %2$s)) %% 500, 'row ' || g || ' of ' || %3$L, g %% 4,
                   jsonb_build_object('plan', 'p' || (g %% 5), 'limit', g %% 1000, 'flags', ARRAY[g %% 2 = 0, g %% 3 = 0]),
                   timestamptz '2024-01-01 00:00:00+00' + g * interval '13 minutes',
                   CASE WHEN g %% 5 = 0 THEN timestamptz '2025-01-01 00:00:00+00' + g * interval '7 minutes' END
            FROM generate_series(1, %4$s) AS g$i$, name, i, name, rows);
        IF i % 100 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
    COMMIT;

    CREATE TABLE app.events (id bigint NOT NULL, tenant_id int NOT NULL, kind text NOT NULL, at timestamptz NOT NULL,
                             data jsonb, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    FOR m IN 0..23 LOOP
        EXECUTE format('CREATE TABLE app.%I PARTITION OF app.events FOR VALUES FROM (%L) TO (%L)',
                       'events_' || to_char(date '2024-01-01' + m * interval '1 month', 'YYYY_MM'),
                       date '2024-01-01' + m * interval '1 month', date '2024-01-01' + (m + 1) * interval '1 month');
    END LOOP;
    CREATE INDEX events_tenant_idx ON app.events (tenant_id, at);
    INSERT INTO app.events
    SELECT g, abs(hashint8(g)) % 500, 'kind' || (g % 12), timestamptz '2024-01-01 00:00:00+00' + (g % 720) * interval '1 day',
           jsonb_build_object('n', g, 'tag', md5(g::text))
    FROM generate_series(1, ceil(scale * 120000)::bigint) AS g;
    COMMIT;

    CREATE TABLE app.audit (id bigint NOT NULL, tenant_id int NOT NULL, actor text, action text, at timestamptz,
                            PRIMARY KEY (tenant_id, id)) PARTITION BY HASH (tenant_id);
    FOR p IN 0..15 LOOP
        EXECUTE format('CREATE TABLE app.%I PARTITION OF app.audit FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
                       'audit_p' || lpad(p::text, 2, '0'), p);
    END LOOP;
    INSERT INTO app.audit
    SELECT g, abs(hashint8(g * 7)) % 500, 'user' || (g % 300), 'action ' || (g % 25),
           timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, ceil(scale * 60000)::bigint) AS g;
    COMMIT;

    CREATE TABLE app.documents (id int PRIMARY KEY, tenant_id int NOT NULL, title text, body text, attachment bytea);
    INSERT INTO app.documents
    SELECT g, g % 500, 'document ' || g,
           (SELECT string_agg(md5(g::text || ':' || i), '') FROM generate_series(1, 625) AS i),
           (SELECT decode(string_agg(md5(i::text || '#' || g), ''), 'hex') FROM generate_series(1, 256) AS i)
    FROM generate_series(1, ceil(scale * 1000)::int) AS g;
    COMMIT;

    FOR o IN 1..200 LOOP
        PERFORM lo_from_bytea(0, (SELECT decode(string_agg(md5(i::text || '/' || o), ''), 'hex')
                                    FROM generate_series(1, 4096) AS i));
    END LOOP;
END $$;
