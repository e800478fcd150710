-- pgmigrate's sample database: a small shop with the schema features that broke migration tools
-- (peer-tools.md section 4). Loaded by SampleDatabase. A line may start with a version condition: {{12+}} runs on
-- 12 and newer, {{10}} on 10 only, {{<10}} before 10 (9.5, 9.6), so that older servers get what they can have.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA shop;
CREATE SCHEMA "Mixed Schema";
COMMENT ON SCHEMA shop IS 'The shop';

CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE DOMAIN shop.email AS citext CHECK (VALUE ~ '@');
CREATE TYPE shop.address AS (street text, city text, zip text);
CREATE TYPE shop.price_range AS RANGE (subtype = numeric);

CREATE TABLE shop.customers (
{{10+}}    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
{{<10}}    id bigserial PRIMARY KEY,
    email shop.email NOT NULL UNIQUE,
    name text NOT NULL,
    address shop.address,
    tags text[],
    prefs hstore,
    dropped_later int,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE shop.customers DROP COLUMN dropped_later;
COMMENT ON COLUMN shop.customers.email IS 'Login name';

CREATE TABLE shop.products (
    sku text PRIMARY KEY,
    title text NOT NULL,
    price numeric(12, 2) NOT NULL,
    price_band shop.price_range,
    weight double precision,
    attrs jsonb,
    image bytea
);
{{12+}}ALTER TABLE shop.products ADD COLUMN title_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED;
CREATE INDEX products_attrs ON shop.products USING gin (attrs);
CREATE INDEX products_title_lower ON shop.products (lower(title));

CREATE TABLE shop.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES shop.customers (id),
    parent_id int REFERENCES shop.orders (id),
    status shop.order_status NOT NULL DEFAULT 'new',
    total numeric NOT NULL,
    placed_at timestamptz NOT NULL,
    valid_during tstzrange,
    note text
);
CREATE INDEX orders_customer ON shop.orders (customer_id);
CREATE INDEX orders_placed_recent ON shop.orders (placed_at) WHERE status <> 'cancelled';
COMMENT ON TABLE shop.orders IS 'Customer orders';

CREATE TABLE shop.order_lines (
    order_id int NOT NULL REFERENCES shop.orders (id) ON DELETE CASCADE,
    line int NOT NULL,
    sku text NOT NULL REFERENCES shop.products (sku),
    qty int NOT NULL CHECK (qty > 0),
    PRIMARY KEY (order_id, line)
);

-- Cyclic foreign keys.
CREATE TABLE shop.warehouses (id int PRIMARY KEY, manager_id int);
CREATE TABLE shop.staff (id int PRIMARY KEY, warehouse_id int NOT NULL REFERENCES shop.warehouses (id));
ALTER TABLE shop.warehouses ADD CONSTRAINT warehouses_manager FOREIGN KEY (manager_id) REFERENCES shop.staff (id)
    DEFERRABLE INITIALLY DEFERRED;

-- Partitioned table: rows live in the partitions only. Declarative from 10, with the key and index on the parent
-- from 11 (on each partition in 10); before 10, inheritance with CHECK constraints and a routing trigger.
{{11+}}CREATE TABLE shop.events (id bigint NOT NULL, at date NOT NULL, kind text, payload jsonb, PRIMARY KEY (id, at))
{{11+}}    PARTITION BY RANGE (at);
{{10}}CREATE TABLE shop.events (id bigint NOT NULL, at date NOT NULL, kind text, payload jsonb) PARTITION BY RANGE (at);
{{10+}}CREATE TABLE shop.events_2025 PARTITION OF shop.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
{{10+}}CREATE TABLE shop.events_2026 PARTITION OF shop.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
{{11+}}CREATE INDEX events_kind ON shop.events (kind);
{{10}}ALTER TABLE shop.events_2025 ADD PRIMARY KEY (id, at);
{{10}}ALTER TABLE shop.events_2026 ADD PRIMARY KEY (id, at);
{{<10}}CREATE TABLE shop.events (id bigint NOT NULL, at date NOT NULL, kind text, payload jsonb, PRIMARY KEY (id, at));
{{<10}}CREATE TABLE shop.events_2025 (PRIMARY KEY (id, at), CHECK (at >= '2025-01-01' AND at < '2026-01-01'))
{{<10}}    INHERITS (shop.events);
{{<10}}CREATE TABLE shop.events_2026 (PRIMARY KEY (id, at), CHECK (at >= '2026-01-01' AND at < '2027-01-01'))
{{<10}}    INHERITS (shop.events);
{{<10}}CREATE FUNCTION shop.events_route() RETURNS trigger LANGUAGE plpgsql AS $$
{{<10}}BEGIN
{{<10}}    IF NEW.at < '2026-01-01' THEN INSERT INTO shop.events_2025 VALUES (NEW.*);
{{<10}}    ELSE INSERT INTO shop.events_2026 VALUES (NEW.*); END IF;
{{<10}}    RETURN NULL;
{{<10}}END $$;
{{<10}}CREATE TRIGGER events_route BEFORE INSERT ON shop.events FOR EACH ROW EXECUTE PROCEDURE shop.events_route();
{{<11}}CREATE INDEX events_2025_kind ON shop.events_2025 (kind);
{{<11}}CREATE INDEX events_2026_kind ON shop.events_2026 (kind);

-- No primary key, unlogged, exclusion constraint, empty.
CREATE TABLE shop.audit_log (at timestamptz NOT NULL, who text, what text);
CREATE UNLOGGED TABLE shop.sessions (token uuid PRIMARY KEY DEFAULT gen_random_uuid(), data text);
CREATE TABLE shop.bookings (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL,
    EXCLUDE USING gist (during WITH &&));
CREATE TABLE shop.empty_table (id int PRIMARY KEY, v text);

-- Exact numbers.
CREATE TABLE shop.measurements (id int PRIMARY KEY, exact numeric, f8 double precision, f4 real, big bigint,
    ints int[], floats double precision[]);

-- Quoted, mixed-case names and quotes in values.
CREATE TABLE "Mixed Schema"."Order Items" ("Id" int PRIMARY KEY, "Quote's" text, "select" int, "CamelCase" text);
CREATE INDEX "Mixed Index" ON "Mixed Schema"."Order Items" ("CamelCase");

-- Views, a materialized view, a function, a trigger (must not fire during the copy), a standalone sequence.
CREATE VIEW shop.paid_orders AS SELECT id, customer_id, total FROM shop.orders WHERE status = 'paid';
CREATE MATERIALIZED VIEW shop.sales_by_status AS
    SELECT status, count(*) AS orders, sum(total) AS total FROM shop.orders GROUP BY status;
CREATE UNIQUE INDEX sales_by_status_status ON shop.sales_by_status (status);
CREATE FUNCTION shop.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shop.audit_log VALUES (now(), current_user, TG_OP || ' ' || TG_TABLE_NAME || ' ' || NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON shop.orders FOR EACH ROW EXECUTE PROCEDURE shop.audit();
CREATE SEQUENCE shop.invoice_numbers START 1000 INCREMENT 7;
CREATE SEQUENCE shop.never_used;
