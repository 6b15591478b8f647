//! Append-only migrations. Each entry runs once, in order, recorded in `PRAGMA user_version`;
//! a released migration is never edited, only followed by a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the journal, master data, records, counters and bench state
    r#"
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    bench     TEXT,
    device    TEXT,
    operator  TEXT,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- master data: updated by imports, never referenced by foreign keys from records so that
-- history stays as it was recorded
CREATE TABLE items (
    sku             TEXT PRIMARY KEY COLLATE NOCASE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('material', 'product')),
    unit            TEXT NOT NULL,
    lot_prefix      TEXT,
    gtin            TEXT UNIQUE,
    shelf_life_days INTEGER
);
CREATE TABLE suppliers (
    code    TEXT PRIMARY KEY COLLATE NOCASE,
    name    TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    email   TEXT NOT NULL DEFAULT '',
    phone   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE customers (
    code    TEXT PRIMARY KEY COLLATE NOCASE,
    name    TEXT NOT NULL,
    email   TEXT NOT NULL DEFAULT '',
    phone   TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE TABLE boms (
    product_sku  TEXT NOT NULL,
    material_sku TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    PRIMARY KEY (product_sku, material_sku)
);
CREATE TABLE orders (
    order_number  TEXT PRIMARY KEY,
    customer_code TEXT NOT NULL,
    ordered_at    TEXT NOT NULL
);
CREATE TABLE order_lines (
    order_number TEXT NOT NULL REFERENCES orders(order_number),
    line_no      INTEGER NOT NULL,
    sku          TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    PRIMARY KEY (order_number, line_no)
);

-- every code ever issued, so none is issued twice
CREATE TABLE codes (
    code      TEXT PRIMARY KEY,
    issued_at TEXT NOT NULL
);
CREATE TABLE code_counters (
    key      TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- records: append-only, each row points at its journal entry
CREATE TABLE lots (
    code          TEXT PRIMARY KEY,
    item_sku      TEXT NOT NULL,
    supplier_code TEXT NOT NULL,
    supplier_lot  TEXT NOT NULL,
    invoice       TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    received_at   TEXT NOT NULL,
    expiry        TEXT,
    note          TEXT,
    journal_seq   INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX lots_supplier_lot ON lots(supplier_lot);
CREATE INDEX lots_item ON lots(item_sku);
CREATE TABLE batches (
    code            TEXT PRIMARY KEY,
    product_sku     TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    production_date TEXT NOT NULL,
    journal_seq     INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX batches_product ON batches(product_sku);
CREATE TABLE batch_closures (
    batch_code     TEXT PRIMARY KEY REFERENCES batches(code),
    yield_quantity INTEGER NOT NULL,
    expiry         TEXT,
    closed_at      TEXT NOT NULL,
    note           TEXT,
    journal_seq    INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE TABLE consumptions (
    id          INTEGER PRIMARY KEY,
    batch_code  TEXT NOT NULL REFERENCES batches(code),
    line_no     INTEGER NOT NULL,
    input_code  TEXT NOT NULL,
    input_kind  TEXT NOT NULL CHECK (input_kind IN ('lot', 'batch')),
    quantity    INTEGER NOT NULL,
    warning     TEXT,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq),
    UNIQUE (batch_code, line_no)
);
CREATE INDEX consumptions_input ON consumptions(input_code);
CREATE TABLE shipments (
    code          TEXT PRIMARY KEY,
    order_number  TEXT NOT NULL,
    customer_code TEXT NOT NULL,
    shipped_at    TEXT NOT NULL,
    journal_seq   INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX shipments_order ON shipments(order_number);
CREATE INDEX shipments_customer ON shipments(customer_code);
CREATE TABLE shipment_lines (
    shipment_code TEXT NOT NULL REFERENCES shipments(code),
    line_no       INTEGER NOT NULL,
    batch_code    TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (shipment_code, line_no)
);
CREATE INDEX shipment_lines_batch ON shipment_lines(batch_code);
CREATE TABLE wastes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX wastes_code ON wastes(code);
CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('available', 'hold', 'quarantine', 'recalled')),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX status_changes_code ON status_changes(code, id);
CREATE TABLE corrections (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('lot', 'consumption', 'batch')),
    target_code TEXT NOT NULL,
    target_line INTEGER,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX corrections_target ON corrections(target_kind, target_code, target_line);
CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY,
    bench       TEXT NOT NULL,
    printer     TEXT,
    label       TEXT NOT NULL,
    code        TEXT NOT NULL,
    copies      INTEGER NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);

-- working state, not history: what each bench has open (rewritten with every scan)
CREATE TABLE bench_state (
    bench TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
"#,
    // 2: the outcome of every print job, journaled after the printer took it (or refused it)
    r#"
CREATE TABLE print_outcomes (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES print_jobs(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('printed', 'failed')),
    detail      TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX print_outcomes_job ON print_outcomes(job_id);
"#,
    // 3: covering indexes for traces: shipment lines by batch, shipments by code and
    // consumptions by input answer from the index alone
    r#"
CREATE INDEX shipment_lines_batch_cover ON shipment_lines(batch_code, shipment_code, quantity, line_no);
CREATE INDEX shipments_cover ON shipments(code, shipped_at, order_number, customer_code);
CREATE INDEX consumptions_input_cover ON consumptions(input_code, batch_code, line_no, quantity);
"#,
    // 4: a lineage table for forward traces, derived from shipment lines and kept by a
    // trigger in the same transaction: each batch's shipments in one clustered range; and
    // customers clustered by code
    r#"
CREATE TABLE shipment_index (
    batch_code    TEXT NOT NULL,
    shipment_code TEXT NOT NULL,
    line_no       INTEGER NOT NULL,
    shipped_at    TEXT NOT NULL,
    order_number  TEXT NOT NULL,
    customer_code TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (batch_code, shipment_code, line_no)
) WITHOUT ROWID;
INSERT INTO shipment_index
    SELECT l.batch_code, l.shipment_code, l.line_no, s.shipped_at, s.order_number, s.customer_code, l.quantity
    FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code;
CREATE TRIGGER shipment_index_fill AFTER INSERT ON shipment_lines
BEGIN
    INSERT INTO shipment_index
        SELECT NEW.batch_code, NEW.shipment_code, NEW.line_no, s.shipped_at, s.order_number, s.customer_code, NEW.quantity
        FROM shipments s WHERE s.code = NEW.shipment_code;
END;
CREATE TABLE customers_clustered (
    code    TEXT PRIMARY KEY COLLATE NOCASE,
    name    TEXT NOT NULL,
    email   TEXT NOT NULL DEFAULT '',
    phone   TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO customers_clustered SELECT code, name, email, phone, address FROM customers;
DROP TABLE customers;
ALTER TABLE customers_clustered RENAME TO customers;
"#,
    // 5: a print job may end "uncertain": the printer may have printed it, but did not
    // confirm taking it all (the table is rebuilt to widen its CHECK; SQLite's DROP TABLE
    // fires no triggers, and the append-only triggers are made again after migrating)
    r#"
CREATE TABLE print_outcomes_v5 (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES print_jobs(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('printed', 'failed', 'uncertain')),
    detail      TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
INSERT INTO print_outcomes_v5 (id, job_id, outcome, detail, journal_seq)
    SELECT id, job_id, outcome, detail, journal_seq FROM print_outcomes;
DROP TABLE print_outcomes;
ALTER TABLE print_outcomes_v5 RENAME TO print_outcomes;
CREATE INDEX print_outcomes_job ON print_outcomes(job_id);
"#,
    // 6: the station that wrote an entry, where stations share a database (SQLite: one
    // station per file, so it stays empty unless `[station] name` is set)
    r#"
ALTER TABLE journal ADD COLUMN station TEXT;
"#,
    // 7: the journal without a UNIQUE index on its hash: the chain already makes every
    // hash unique (each covers the one before), and the index cost every scan a write to
    // a random page of a second B-tree. SQLite cannot drop a UNIQUE constraint, so the
    // table is built again (run with foreign keys off: the records refer to its rows,
    // which keep their numbers; see `migrate_sqlite`).
    r#"
CREATE TABLE journal_v7 (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    bench     TEXT,
    device    TEXT,
    operator  TEXT,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    station   TEXT
);
INSERT INTO journal_v7 (seq, at, kind, bench, device, operator, body, prev_hash, hash, station)
    SELECT seq, at, kind, bench, device, operator, body, prev_hash, hash, station FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v7 RENAME TO journal;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"#,
    // 8: orders from a shop's export: which shop, and whether the shop cancelled or
    // refunded it (the packer is told); customers found by email across shops
    r#"
ALTER TABLE orders ADD COLUMN shop TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
CREATE INDEX customers_email ON customers(lower(email));
"#,
    // 9: where a supplier ships from, for the FDA's traceability records
    r#"
ALTER TABLE suppliers ADD COLUMN address TEXT NOT NULL DEFAULT '';
"#,
    // 10: lots a supplier says it shipped (their EPCIS shipping events), awaited at the
    // receiving bench
    r#"
CREATE TABLE expected_receipts (
    supplier_code TEXT NOT NULL,
    supplier_lot  TEXT NOT NULL,
    item_sku      TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    shipped_at    TEXT NOT NULL,
    source        TEXT NOT NULL,
    PRIMARY KEY (supplier_code, supplier_lot, item_sku)
);
"#,
    // 11: how much product a bill of materials is for (base units of the product), so a
    // batch's targets can be scaled to what it is meant to make
    r#"
ALTER TABLE boms ADD COLUMN per INTEGER;
"#,
    // 12: corrections after the fact: a shipment can be voided (the table is rebuilt to
    // widen its CHECK, as in migration 5), a lot's or batch's counted quantity, yield or
    // expiry adjusted; a voided shipment leaves the forward trace's index in the same
    // transaction
    r#"
CREATE TABLE corrections_v12 (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('lot', 'consumption', 'batch', 'shipment')),
    target_code TEXT NOT NULL,
    target_line INTEGER,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
INSERT INTO corrections_v12 (id, target_kind, target_code, target_line, reason, at, journal_seq)
    SELECT id, target_kind, target_code, target_line, reason, at, journal_seq FROM corrections;
DROP TABLE corrections;
ALTER TABLE corrections_v12 RENAME TO corrections;
CREATE INDEX corrections_target ON corrections(target_kind, target_code, target_line);
CREATE TABLE adjustments (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('lot', 'batch')),
    code        TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('quantity', 'yield', 'expiry')),
    delta       INTEGER NOT NULL,
    value       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    journal_seq INTEGER NOT NULL REFERENCES journal(seq)
);
CREATE INDEX adjustments_code ON adjustments(code, id);
CREATE TRIGGER shipment_index_void AFTER INSERT ON corrections WHEN NEW.target_kind = 'shipment'
BEGIN
    DELETE FROM shipment_index WHERE shipment_code = NEW.target_code
        AND batch_code IN (SELECT batch_code FROM shipment_lines WHERE shipment_code = NEW.target_code);
END;
"#,
    // 13: what one unit of a product holds, as its package states it (`110 g`, `8 fl oz`),
    // for the batch label's net quantity
    r#"
ALTER TABLE items ADD COLUMN net_content TEXT;
"#,
    // 14: the expiry a supplier's EPCIS document states for a lot it shipped (its
    // commissioning's instance master data), filled in at receiving with the rest
    r#"
ALTER TABLE expected_receipts ADD COLUMN expiry TEXT;
"#,
    // 15: an item's lots newest first, for the receiving bench's look at its recent
    // deliveries (a range of the index, however many lots the item has had)
    r#"
CREATE INDEX lots_item_received ON lots(item_sku, received_at, quantity, code);
DROP INDEX lots_item;
"#,
    // 16: a cosmetic's period after opening in months (the open-jar symbol on its label)
    r#"
ALTER TABLE items ADD COLUMN pao_months INTEGER;
"#,
    // 17: the console's accounts: a name, a role and an Argon2id hash (the journal says
    // who added, removed or changed one, never the hash)
    r#"
CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'clerk')),
    password_hash TEXT NOT NULL,
    added_at      TEXT NOT NULL
);
"#,
    // 18: an item the owner retired (kept for the records, no longer received or made)
    r#"
ALTER TABLE items ADD COLUMN retired_at TEXT;
"#,
    // 19: suppliers and customers the owner retired
    r#"
ALTER TABLE suppliers ADD COLUMN retired_at TEXT;
ALTER TABLE customers ADD COLUMN retired_at TEXT;
"#,
    // 20: the stock below which an item is reordered (base units)
    r#"
ALTER TABLE items ADD COLUMN reorder_point INTEGER;
"#,
    // 21: a recipe the owner retired (its lines kept for the records, no longer a bench's plan)
    r#"
ALTER TABLE boms ADD COLUMN retired_at TEXT;
"#,
    // 22: what a shop's buyer wrote with an order, and how it goes out: for the packer
    r#"
ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN shipping_method TEXT NOT NULL DEFAULT '';
"#,
];

/// Migrations that rebuild a table other tables refer to: run with foreign keys off (a
/// pragma SQLite takes only outside a transaction), then checked.
pub const REBUILDS_REFERENCED_TABLE: &[usize] = &[7];
