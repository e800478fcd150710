-- pgmigrate's sample database: a small shop with the schema features that broke migration tools
-- (peer-tools.md section 4). Loaded by SampleDatabase; {{GENERATED}} lines run on PostgreSQL 12+ only.
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
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
{{GENERATED}} ALTER TABLE shop.products ADD COLUMN title_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED;
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

-- Partitioned table: rows live in the partitions only.
CREATE TABLE shop.events (id bigint NOT NULL, at date NOT NULL, kind text, payload jsonb, PRIMARY KEY (id, at))
    PARTITION BY RANGE (at);
CREATE TABLE shop.events_2025 PARTITION OF shop.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE shop.events_2026 PARTITION OF shop.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind ON shop.events (kind);

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
