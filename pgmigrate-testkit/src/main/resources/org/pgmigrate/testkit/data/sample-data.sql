-- Rows for the sample schema; {{ROWS}} scales the big tables.
INSERT INTO shop.customers (email, name, address, tags, prefs, created_at)
SELECT 'user' || g || '@example.com', 'Customer ' || g, ROW(g || ' Main St', 'City ' || (g % 50), lpad((g % 99999)::text, 5, '0'))::shop.address,
       ARRAY['tag' || (g % 7), 'tag' || (g % 11)], hstore('vip', (g % 13 = 0)::text),
       timestamptz '2025-01-01 00:00:00+00' + g * interval '7 minutes'
FROM generate_series(1, greatest({{ROWS}} / 10, 10)) g;

INSERT INTO shop.products (sku, title, price, price_band, weight, attrs, image)
SELECT 'SKU-' || g, 'Product "' || g || '''s"', (g % 1000) + 0.99, numrange(g, g + 10)::text::shop.price_range, g / 3.0,
       jsonb_build_object('color', 'c' || (g % 9), 'sizes', jsonb_build_array(g % 3, g % 5), 'n', g),
       CASE WHEN g % 50 = 0 THEN decode(repeat(md5(g::text), 400), 'hex') ELSE decode(md5(g::text), 'hex') END
FROM generate_series(1, greatest({{ROWS}} / 20, 20)) g;

INSERT INTO shop.orders (customer_id, parent_id, status, total, placed_at, valid_during, note)
SELECT 1 + g % greatest({{ROWS}} / 10, 10), NULL, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4]::shop.order_status,
       (g * 37 % 100000) / 100.0, timestamptz '2025-03-01 12:00:00+00' + g * interval '1 minute',
       tstzrange(timestamptz '2025-03-01' + g * interval '1 hour', timestamptz '2025-03-02' + g * interval '1 hour'),
       CASE WHEN g % 100 = 0 THEN repeat('A long TOASTed note. ', 2000) ELSE 'note ' || g END
FROM generate_series(1, {{ROWS}}) g;
UPDATE shop.orders SET parent_id = id - 1 WHERE id % 10 = 0;

INSERT INTO shop.order_lines (order_id, line, sku, qty)
SELECT o, l, 'SKU-' || (1 + (o * l) % greatest({{ROWS}} / 20, 20)), 1 + (o + l) % 5
FROM generate_series(1, {{ROWS}}) o, generate_series(1, 3) l;

INSERT INTO shop.warehouses (id) SELECT g FROM generate_series(1, 5) g;
INSERT INTO shop.staff (id, warehouse_id) SELECT g, 1 + g % 5 FROM generate_series(1, 20) g;
UPDATE shop.warehouses SET manager_id = id;

INSERT INTO shop.events (id, at, kind, payload)
SELECT g, date '2025-01-01' + (g % 700), 'kind' || (g % 5), jsonb_build_object('g', g)
FROM generate_series(1, {{ROWS}}) g;

INSERT INTO shop.sessions (data) SELECT 'session ' || g FROM generate_series(1, 50) g;
INSERT INTO shop.bookings SELECT g, g % 10, tsrange(timestamp '2025-01-01' + g * interval '2 hours',
       timestamp '2025-01-01' + g * interval '2 hours' + interval '1 hour') FROM generate_series(1, 200) g;

INSERT INTO shop.measurements VALUES
    (1, 0.00000000000000006938893903907228, -216237.00000035969, 3.4028235e38, 35506143, '{1,2,3}', '{0.1,0.2,1e-300}'),
    (2, 123456789012345678901234567890.123456789, 1.7976931348623157e308, 1.17549435e-38, 9223372036854775807, '{}', NULL),
    (3, 'NaN', 'Infinity', '-Infinity', -9223372036854775808, NULL, '{NaN}'),
    (4, -0.5, 0.1, 0.1, 0, '{-1}', '{-0}');

INSERT INTO "Mixed Schema"."Order Items" VALUES
    (1, 'it''s', 1, 'Camel'), (2, 'say "hi"', 2, 'case'), (3, E'back\\slash and\ttab', 3, NULL), (4, 'null', NULL, 'NULL');

SELECT nextval('shop.invoice_numbers') FROM generate_series(1, 3);
SELECT lo_from_bytea(0, convert_to(repeat('large object ' || g || ' ', 200 * g), 'UTF8')) FROM generate_series(1, 3) g;
REFRESH MATERIALIZED VIEW shop.sales_by_status;
ANALYZE;
