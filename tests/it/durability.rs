//! Nothing acknowledged is lost: SIGKILL in the middle of a session, restart, and every
//! scan that got an `ok:` is in the journal, which still verifies. Tampering with the
//! database file is found by `journal verify`.

use crate::support::{Bench, Shop};

fn session_scans() -> Vec<String> {
    let mut scans: Vec<String> = ["@RECEIVE", "SUP:BRAMBLE", "INV-1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for i in 0..12 {
        scans.extend([
            "ITEM:LAV-EO".to_string(),
            format!("SL-TAMPER-{i:02}"),
            "@QTY:100g".to_string(),
            "@DONE".to_string(),
        ]);
    }
    scans.push("@DONE".into());
    scans.push("@MAKE".into());
    scans.push("ITEM:BLEND".into());
    scans
}

#[test]
fn sigkill_loses_no_acknowledged_scan() {
    let shop = Shop::new();
    let scans = session_scans();
    let mut acknowledged = Vec::new();
    // first part: one scan at a time
    let mut bench = shop.process_bench();
    for scan in &scans[..20] {
        let line = bench.scan(scan);
        if line.starts_with("ok: ") {
            acknowledged.push(scan.clone());
        }
    }
    // then a burst: everything else written at once, killed after a few answers
    for scan in &scans[20..] {
        bench.send(scan);
    }
    for scan in &scans[20..26] {
        let line = bench.read();
        assert!(line.starts_with("ok: "), "{line}");
        acknowledged.push(scan.clone());
    }
    bench.child.kill().expect("SIGKILL");
    bench.child.wait().expect("reaped");
    drop(bench);

    let journaled = shop.query_strings(
        "SELECT json_extract(body, '$.raw') FROM journal WHERE kind = 'scan' AND json_extract(body, '$.accepted') = 1 ORDER BY seq",
    );
    assert!(
        journaled.len() >= acknowledged.len(),
        "{} acknowledged, {} journaled",
        acknowledged.len(),
        journaled.len()
    );
    assert_eq!(
        journaled[..acknowledged.len()],
        acknowledged[..],
        "acknowledged scans, in order"
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");

    // restart: the bench carries on from the last committed scan
    let mut bench = Bench::start(&shop.db(), shop.dir.path(), &[]);
    let done = journaled.len();
    for scan in &scans[done..] {
        bench.ok(scan);
    }
    let line = bench.ok("@YIELD:1kg");
    assert!(line.contains("yield of MFG-0001"), "{line}");
    bench.finish();
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM lots"), 12);
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// Takes the append-only protection off `table`, as the database's owner could: SQLite's
/// triggers dropped, PostgreSQL's disabled.
fn unprotect(shop: &Shop, table: &str) {
    let mut sql = shop.sql();
    if shop.is_postgres() {
        sql.execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .expect("disable triggers");
    } else {
        let triggers = sql.rows(&format!(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"
        ));
        for trigger in triggers {
            sql.execute(&format!("DROP TRIGGER {}", trigger[0]))
                .expect("drop trigger");
        }
    }
}

fn shop_with_history() -> Shop {
    shop_with_history_in(Shop::new())
}

fn shop_with_history_in(shop: Shop) -> Shop {
    let scans = session_scans();
    let refs: Vec<&str> = scans.iter().map(String::as_str).collect();
    let feedback = shop.session(&refs);
    assert!(
        feedback.iter().all(|l| l.starts_with("ok: ")),
        "{feedback:#?}"
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
    shop
}

#[test]
fn an_edited_journal_row_is_found() {
    let shop = shop_with_history();
    let seq = shop.query_i64(
        "SELECT seq FROM journal WHERE kind = 'lot_received' ORDER BY seq LIMIT 1 OFFSET 3",
    );
    let tamper =
        format!("UPDATE journal SET body = replace(body, '100000', '900000') WHERE seq = {seq}");
    // the append-only trigger stops an honest mistake...
    let refused = shop.sql().execute(&tamper);
    assert!(refused.unwrap_err().contains("journal is append-only"));
    // ...but not someone who removes it first
    unprotect(&shop, "journal");
    shop.sql().execute(&tamper).expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("journal BROKEN: entry {seq} (lot_received at "))
            && out.contains("was changed after it was written"),
        "{out}"
    );
}

/// The drill's cut: the last entries of the journal removed with every row they wrote.
/// The chain that is left verifies on its own; the witness beside the database still holds
/// the heads it saw, and `journal verify` finds them missing.
#[test]
fn a_cut_tail_is_found_by_the_witness() {
    let shop = shop_with_history();
    let last = shop.query_i64("SELECT MAX(seq) FROM journal");
    let keep = last - 5;
    let tables: Vec<String> = shop
        .sql()
        .rows(if shop.is_postgres() {
            "SELECT table_name FROM information_schema.columns \
             WHERE column_name = 'journal_seq' AND table_schema = current_schema()"
        } else {
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS \
             (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'journal_seq')"
        })
        .into_iter()
        .map(|mut row| row.remove(0))
        .collect();
    for table in tables.iter().map(String::as_str).chain(["journal"]) {
        unprotect(&shop, table);
    }
    // rows that point at other rows go first (print outcomes at print jobs)
    let mut tables = tables;
    tables.sort_by_key(|t| t != "print_outcomes");
    let mut sql = shop.sql();
    for table in &tables {
        sql.execute(&format!("DELETE FROM {table} WHERE journal_seq > {keep}"))
            .expect("cut rows");
    }
    sql.execute(&format!("DELETE FROM journal WHERE seq > {keep}"))
        .expect("cut the journal");
    drop(sql);
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "journal BROKEN: entries {} to {last} are missing: the witness saw entry {}",
            keep + 1,
            keep + 1
        )) && out.contains(&format!(
            "the journal ends at entry {keep}; its tail was cut"
        )),
        "{out}"
    );
    // with the witness gone too, the chain alone cannot tell (the witness belongs elsewhere)
    std::fs::remove_file(shop.witness()).expect("remove the witness");
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no witness file at"), "{out}");
}

/// The drill's upsert: `INSERT OR REPLACE` over an existing row went through the update and
/// delete triggers. From a plain connection (as the sqlite3 shell is), it is refused now, on
/// the journal, a record table and the issued codes alike. (PostgreSQL's upsert is an
/// update, refused by the same triggers; so are a delete and a truncate.)
#[test]
fn insert_or_replace_cannot_overwrite_history() {
    let shop = shop_with_history();
    if shop.is_postgres() {
        let mut sql = shop.sql();
        for attempt in [
            "INSERT INTO journal SELECT * FROM journal WHERE body LIKE '%SL-TAMPER-07%' \
             ON CONFLICT (seq) DO UPDATE SET body = replace(excluded.body, 'SL-TAMPER-07', 'SL-OTHER')",
            "INSERT INTO lots SELECT * FROM lots LIMIT 1 ON CONFLICT (code) DO UPDATE SET quantity = 1",
            "UPDATE codes SET issued_at = '2020-01-01'",
            "DELETE FROM codes",
            "TRUNCATE codes CASCADE",
        ] {
            let refused = sql.execute(attempt);
            assert!(
                refused.as_ref().is_err_and(|e| e.contains("append-only")),
                "{attempt}: {refused:?}"
            );
        }
        drop(sql);
        assert_eq!(shop.verify().0, 0, "nothing changed");
        return;
    }
    let conn = shop.conn();
    let attempts = [
        "INSERT OR REPLACE INTO journal SELECT seq, at, kind, bench, device, operator, \
         replace(body, 'SL-TAMPER-07', 'SL-OTHER'), prev_hash, hash, station FROM journal \
         WHERE body LIKE '%SL-TAMPER-07%' LIMIT 1",
        "INSERT OR REPLACE INTO lots SELECT * FROM lots LIMIT 1",
        "REPLACE INTO codes SELECT code, '2020-01-01' FROM codes LIMIT 1",
        "UPDATE codes SET issued_at = '2020-01-01'",
        "DELETE FROM codes",
    ];
    for sql in attempts {
        let refused = conn.execute(sql, []);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("append-only")),
            "{sql}: {refused:?}"
        );
    }
    drop(conn);
    assert_eq!(shop.verify().0, 0, "nothing changed");
}

/// A label's print job changed after the fact (more copies, another code) is found too.
#[test]
fn an_edited_print_job_is_found() {
    let shop = shop_with_history();
    unprotect(&shop, "print_jobs");
    shop.sql()
        .execute("UPDATE print_jobs SET copies = 99 WHERE id = 1")
        .expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("records BROKEN: print jobs: print job 1 for ")
            && out.contains("does not match its journal entry"),
        "{out}"
    );
}

#[test]
fn a_deleted_journal_row_is_found() {
    let shop = shop_with_history();
    unprotect(&shop, "journal");
    shop.sql()
        .execute("DELETE FROM journal WHERE seq = 9")
        .expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("entries 9 to 9 are missing: the journal jumps to entry 10"),
        "{out}"
    );
}

#[test]
fn bytes_changed_in_the_database_file_are_found() {
    // a SQLite file, whichever backend the suite runs on
    let shop = shop_with_history_in(Shop::sqlite_with_master_data());
    let db = shop.db();
    assert!(
        !shop.path("lotstation.db-wal").exists()
            || std::fs::metadata(shop.path("lotstation.db-wal"))
                .map(|m| m.len())
                .unwrap_or(0)
                == 0,
        "the daemon checkpoints its WAL on exit"
    );
    let mut bytes = std::fs::read(&db).expect("read db");
    let needle = b"SL-TAMPER-07";
    let mut changed = 0;
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        if &bytes[i..i + needle.len()] == needle {
            bytes[i + needle.len() - 1] = b'9'; // "SL-TAMPER-07" -> "SL-TAMPER-09"
            changed += 1;
        }
        i += 1;
    }
    assert!(
        changed >= 2,
        "the lot number is in the journal and in the lots table"
    );
    std::fs::write(&db, &bytes).expect("write db");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("journal BROKEN: entry "), "{out}");
    assert!(out.contains("was changed after it was written"), "{out}");
}

#[test]
fn an_edited_record_row_is_found_too() {
    let shop = shop_with_history();
    let lot = shop
        .query_strings("SELECT code FROM lots ORDER BY code LIMIT 1")
        .remove(0);
    unprotect(&shop, "lots");
    shop.sql()
        .execute(&format!(
            "UPDATE lots SET quantity = 900000 WHERE code = '{lot}'"
        ))
        .expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("records BROKEN: lots: lot {lot} (journal entry ")),
        "{out}"
    );
    // and a journal entry whose row was deleted: a hold that quietly disappears
    let shop = shop_with_history();
    let lot = shop
        .query_strings("SELECT code FROM lots ORDER BY code LIMIT 1")
        .remove(0);
    assert!(
        shop.cli(&["hold", &lot, "--reason", "mould"])
            .status
            .success()
    );
    assert_eq!(shop.verify().0, 0);
    unprotect(&shop, "status_changes");
    shop.sql()
        .execute("DELETE FROM status_changes")
        .expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("records BROKEN: status changes: journal entry ")
            && out.contains("(status change) has no row"),
        "{out}"
    );
}

/// Every issued code names a record, and every record's code was issued: a code slipped
/// into `codes` (it would block that code forever) or taken out of it (the code could be
/// issued twice) is found.
#[test]
fn issued_codes_are_checked_against_the_records() {
    let shop = shop_with_history();
    let lot = shop.query_strings("SELECT code FROM lots ORDER BY code LIMIT 1")[0].clone();
    shop.sql()
        .execute(
            "INSERT INTO codes (code, issued_at) VALUES ('LOT-GHOST-1', '2026-01-01T00:00:00')",
        )
        .expect("an insert is an append");
    unprotect(&shop, "codes");
    shop.sql()
        .execute(&format!("DELETE FROM codes WHERE code = '{lot}'"))
        .expect("tamper");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("codes: code LOT-GHOST-1 was issued but names no lot, batch or shipment, and no journaled scan mentions it"),
        "{out}"
    );
    assert!(
        out.contains(&format!("codes: lot {lot} is not among the issued codes")),
        "{out}"
    );
}

/// Master data changes only through imports; each import's entry keeps the digest of the
/// tables it left, so a customer's address edited by hand is found, and the next import of
/// that file makes the table agree again.
#[test]
fn master_data_edited_outside_an_import_is_found() {
    let shop = shop_with_history();
    let before = shop.query_strings("SELECT address FROM customers WHERE code = 'C001'");
    shop.sql()
        .execute("UPDATE customers SET address = 'somewhere else' WHERE code = 'C001'")
        .expect("master data is not append-only");
    let (code, out) = shop.verify();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("customers: changed outside an import: the table now hashes to")
            && out.contains("shop/customers.csv"),
        "{out}"
    );
    assert!(!out.contains("items:") && !out.contains("orders:"), "{out}");

    let file = crate::support::fixture("shop/customers.csv");
    let import = shop.cli(&["import", "customers", &file]);
    assert!(import.status.success(), "{import:?}");
    assert_eq!(
        shop.query_strings("SELECT address FROM customers WHERE code = 'C001'"),
        before
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// A database written before the journal lost its hash index (SQLite schema 6,
/// PostgreSQL 2) is migrated when next opened: the same entries with the same numbers,
/// every record still pointing at its entry, the chain intact, no index on the hash, and
/// scans carry on.
#[test]
fn an_older_journal_is_migrated_without_its_hash_index() {
    let shop = shop_with_history();
    // an older station's items had no net contents: the column emptied (a file without
    // it would leave the fixture's as they are)
    let items = std::fs::read_to_string("tests/fixtures/shop/items.csv").expect("fixture");
    let old_items: String = items
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l}\n"),
            _ => format!("{},\n", l.rsplit_once(',').expect("a last column").0),
        })
        .collect();
    let path = shop.path("items-before-net-content.csv");
    std::fs::write(&path, old_items).expect("write");
    let out = shop.cli(&["import", "items", path.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = shop.counts();
    let head = shop.query_strings("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1");
    let mut sql = shop.sql();
    if shop.is_postgres() {
        sql.execute("ALTER TABLE journal ADD CONSTRAINT journal_hash_key UNIQUE (hash)")
            .expect("the old constraint");
        // and without what schema 4 added since
        sql.execute("DROP INDEX customers_email")
            .expect("schema 3 index");
        sql.execute("ALTER TABLE orders DROP COLUMN shop, DROP COLUMN status, DROP COLUMN note, DROP COLUMN shipping_method")
            .expect("schema 3 orders");
        sql.execute("ALTER TABLE suppliers DROP COLUMN address, DROP COLUMN retired_at")
            .expect("schema 3 suppliers");
        sql.execute("ALTER TABLE customers DROP COLUMN retired_at")
            .expect("schema 3 customers");
        sql.execute("DROP TABLE expected_receipts")
            .expect("schema 3 expected receipts");
        sql.execute("ALTER TABLE boms DROP COLUMN per, DROP COLUMN retired_at")
            .expect("schema 3 boms");
        sql.execute("DROP TABLE adjustments")
            .expect("schema 3 adjustments");
        sql.execute("DROP TRIGGER shipment_index_void ON corrections")
            .expect("schema 3 void trigger");
        sql.execute("DROP FUNCTION lotstation_shipment_void()")
            .expect("schema 3 void function");
        sql.execute("ALTER TABLE corrections DROP CONSTRAINT corrections_target_kind_check")
            .expect("schema 3 corrections");
        sql.execute(
            "ALTER TABLE items DROP COLUMN net_content, DROP COLUMN pao_months, DROP COLUMN retired_at, DROP COLUMN reorder_point",
        )
            .expect("schema 3 items");
        sql.execute("DROP TABLE users").expect("schema 3 accounts");
        sql.execute("DROP TABLE IF EXISTS station_claims")
            .expect("schema 3 claims");
        sql.execute("DROP INDEX lots_item_received")
            .expect("schema 3 lots index");
        sql.execute("CREATE INDEX lots_item ON lots(item_sku)")
            .expect("schema 3 lots index");
        sql.execute(
            "DROP FUNCTION json_each(text), json_extract(text, text), json_type(text, text),
                 json_array_length(text, text), lotstation_json_path(text)",
        )
        .expect("schema 11 functions");
        sql.execute("UPDATE lotstation_meta SET value = '2' WHERE key = 'schema'")
            .expect("schema 2");
    } else {
        // the table as schema 6 had it, rows and all
        shop.conn()
            .execute_batch(
                "PRAGMA foreign_keys = OFF; BEGIN;
             CREATE TABLE journal_v6 (seq INTEGER PRIMARY KEY, at TEXT NOT NULL,
                 kind TEXT NOT NULL, bench TEXT, device TEXT, operator TEXT,
                 body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
                 station TEXT);
             INSERT INTO journal_v6 SELECT seq, at, kind, bench, device, operator, body,
                 prev_hash, hash, station FROM journal;
             DROP TABLE journal;
             ALTER TABLE journal_v6 RENAME TO journal;
             DROP INDEX customers_email;
             ALTER TABLE orders DROP COLUMN shop;
             ALTER TABLE orders DROP COLUMN status;
             ALTER TABLE orders DROP COLUMN note;
             ALTER TABLE orders DROP COLUMN shipping_method;
             ALTER TABLE suppliers DROP COLUMN address;
             ALTER TABLE suppliers DROP COLUMN retired_at;
             ALTER TABLE customers DROP COLUMN retired_at;
             DROP TABLE expected_receipts;
             ALTER TABLE boms DROP COLUMN per;
             ALTER TABLE boms DROP COLUMN retired_at;
             DROP TABLE adjustments;
             DROP TRIGGER shipment_index_void;
             ALTER TABLE items DROP COLUMN net_content;
             ALTER TABLE items DROP COLUMN pao_months;
             ALTER TABLE items DROP COLUMN retired_at;
             ALTER TABLE items DROP COLUMN reorder_point;
             DROP TABLE users;
             DROP INDEX lots_item_received;
             CREATE INDEX lots_item ON lots(item_sku);
             PRAGMA user_version = 6;
             COMMIT;",
            )
            .expect("schema 6");
        assert_eq!(shop.query_i64("PRAGMA user_version"), 6);
    }
    drop(sql);

    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
    assert_eq!(shop.counts(), before);
    assert_eq!(
        shop.query_strings("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1"),
        head
    );
    if shop.is_postgres() {
        assert_eq!(
            shop.query_i64(
                "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'journal'::regclass AND contype = 'u'"
            ),
            0
        );
    } else {
        assert_eq!(shop.query_i64("PRAGMA user_version"), 22);
        assert_eq!(
            shop.query_i64(
                "SELECT COUNT(*) FROM pragma_index_list('journal') WHERE \"unique\" = 1"
            ),
            0,
            "the hash index is gone"
        );
        assert_eq!(
            shop.query_i64("SELECT COUNT(*) FROM pragma_foreign_key_check"),
            0
        );
        // still append-only, and still not to be replaced
        let refused = shop.conn().execute(
            "INSERT OR REPLACE INTO journal SELECT * FROM journal WHERE seq = 1",
            [],
        );
        assert!(refused.is_err(), "{refused:?}");
    }
    let feedback = shop.session(&["@CANCEL", "@RECEIVE", "SUP:BRAMBLE", "INV-2"]);
    assert!(
        feedback.iter().all(|l| l.starts_with("ok: ")),
        "{feedback:#?}"
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// A command that reads sees one snapshot: a station appending meanwhile changes nothing
/// of what it reads until it ends, and it never holds the writer up.
#[test]
fn a_read_sees_one_snapshot_while_a_station_writes() {
    let shop = shop_with_history();
    let reader = lotstation::store::Store::open_read_only(&shop.location()).expect("open");
    let (first, second) = reader
        .snapshot(|store| {
            let first = store.head()?;
            // another station appends while the read is open
            let feedback = shop.session(&["@CANCEL", "@RECEIVE", "SUP:BRAMBLE", "INV-9"]);
            assert!(
                feedback.iter().all(|l| l.starts_with("ok: ")),
                "{feedback:#?}"
            );
            let second = store.head()?;
            Ok::<_, lotstation::store::StoreError>((first, second))
        })
        .expect("read");
    assert_eq!(first, second, "one snapshot for the whole read");
    // the next read sees the new entries
    let after = reader.snapshot(|store| store.head()).expect("read");
    assert!(
        after.as_ref().map(|h| h.0) > first.as_ref().map(|h| h.0),
        "{after:?} after {first:?}"
    );
}
