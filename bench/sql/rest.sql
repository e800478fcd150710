-- Fills the 200 mid-size tables (table i gets :mid_base + i * :mid_step rows) and public.docs (:docs_rows rows).
SELECT set_config('bench.mid_base', :'mid_base', false), set_config('bench.mid_step', :'mid_step', false);
DO $$
DECLARE
    base bigint := current_setting('bench.mid_base')::bigint;
    step bigint := current_setting('bench.mid_step')::bigint;
BEGIN
    FOR i IN 1..200 LOOP
        EXECUTE format($i$
            INSERT INTO mid.%I (ref, name, price, created, active, tags, attrs)
            SELECT abs(hashint4(g + %s)) %% 100000,
                   'item ' || g || ' of table %s',
                   (abs(hashint4(g * 3 + %s)) %% 100000) / 100.0,
                   timestamptz '2022-06-01 00:00:00+00' + g * interval '37 seconds',
                   g %% 3 <> 0,
                   ARRAY['tag' || (g %% 10), 'group' || (g %% 7)],
                   jsonb_build_object('rank', g %% 100, 'label', 'l' || (g %% 13))
            FROM generate_series(1, %s) AS g$i$,
            't' || lpad(i::text, 3, '0'), i, i, i, base + i * step);
    END LOOP;
END $$;

INSERT INTO public.docs (id, event_id, title, body, attrs, blob)
SELECT g,
       g * 97,
       'document ' || g,
       (SELECT string_agg(md5(g::text || ':' || i), ' ') FROM generate_series(1, 200 + (g % 100)::int) AS i),
       (SELECT jsonb_agg(jsonb_build_object('k', i, 'v', md5(i::text || '/' || g), 'n', i * 1.5))
          FROM generate_series(1, 40) AS i),
       (SELECT decode(string_agg(md5(i::text || '#' || g), ''), 'hex') FROM generate_series(1, 256) AS i)
FROM generate_series(1, :docs_rows::bigint) AS g;
