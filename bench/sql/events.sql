-- Fills public.events with :events_rows rows (psql variable). Values are spread by hashes, not random(), so that
-- every run of the generator produces the same corpus.
INSERT INTO public.events (id, account_id, created_at, status, amount, note)
SELECT g,
       abs(hashint8(g)) % 200000,
       timestamptz '2023-01-01 00:00:00+00' + (g * 2 + abs(hashint8(g + 1)) % 600) * interval '1 second',
       (g % 7)::smallint,
       (abs(hashint8(g + 2)) % 1000000) / 100.0,
       'order ' || g || ' ' || substr(md5(g::text), 1, 8 + (g % 17)::int)
FROM generate_series(1, :events_rows::bigint) AS g;
