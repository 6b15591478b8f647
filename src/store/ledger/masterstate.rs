//! Master data against its imports. Items, suppliers, customers, bills of materials and
//! orders change only through `lotstation import`; each import's journal entry carries the
//! digest of its tables as the import left them (`tables_sha256`), and `journal verify`
//! recomputes it: a table edited by hand since its last import is found.

use sha2::{Digest, Sha256};

use crate::masterdata::MasterKind;
use crate::store::sql::{Db, params};
use crate::store::{Store, StoreError};

/// The tables one kind of import writes, each as a query of its columns as text and the
/// number of those columns.
fn tables(kind: MasterKind) -> &'static [(&'static str, usize)] {
    match kind {
        MasterKind::Items => &[
            (
                "SELECT CAST(sku AS TEXT), name, kind, unit, lot_prefix, gtin, CAST(shelf_life_days AS TEXT) FROM items",
                7,
            ),
            // net contents, added later: only items that state one
            (
                "SELECT CAST(sku AS TEXT), net_content FROM items WHERE net_content IS NOT NULL",
                2,
            ),
            // periods after opening, later still
            (
                "SELECT CAST(sku AS TEXT), CAST(pao_months AS TEXT) FROM items WHERE pao_months IS NOT NULL",
                2,
            ),
            // items retired in the console, and when
            (
                "SELECT CAST(sku AS TEXT), retired_at FROM items WHERE retired_at IS NOT NULL",
                2,
            ),
            // reorder points
            (
                "SELECT CAST(sku AS TEXT), CAST(reorder_point AS TEXT) FROM items WHERE reorder_point IS NOT NULL",
                2,
            ),
        ],
        MasterKind::Suppliers => &[
            (
                "SELECT CAST(code AS TEXT), name, contact, email, phone FROM suppliers",
                5,
            ),
            // addresses, added later: only suppliers that have one (see `added_later`)
            (
                "SELECT CAST(code AS TEXT), address FROM suppliers WHERE address <> ''",
                2,
            ),
            // suppliers retired in the console
            (
                "SELECT CAST(code AS TEXT), retired_at FROM suppliers WHERE retired_at IS NOT NULL",
                2,
            ),
        ],
        MasterKind::Customers => &[
            (
                "SELECT CAST(code AS TEXT), name, email, phone, address FROM customers",
                5,
            ),
            // customers retired in the console
            (
                "SELECT CAST(code AS TEXT), retired_at FROM customers WHERE retired_at IS NOT NULL",
                2,
            ),
        ],
        MasterKind::Boms => &[
            (
                "SELECT CAST(product_sku AS TEXT), CAST(material_sku AS TEXT), CAST(quantity AS TEXT) FROM boms",
                3,
            ),
            // the batch size a bill is for, added later: only bills that state one
            (
                "SELECT CAST(product_sku AS TEXT), CAST(material_sku AS TEXT), CAST(per AS TEXT) FROM boms WHERE per IS NOT NULL",
                3,
            ),
            // recipes retired in the console
            (
                "SELECT CAST(product_sku AS TEXT), CAST(material_sku AS TEXT), retired_at FROM boms WHERE retired_at IS NOT NULL",
                3,
            ),
        ],
        MasterKind::Orders => &[
            (
                "SELECT CAST(order_number AS TEXT), CAST(customer_code AS TEXT), ordered_at FROM orders",
                3,
            ),
            (
                "SELECT CAST(order_number AS TEXT), CAST(line_no AS TEXT), CAST(sku AS TEXT), CAST(quantity AS TEXT) FROM order_lines",
                4,
            ),
            // which shop an order came from and what the shop says of it (only orders from
            // a shop have rows here, so stations without any keep their digests)
            (
                "SELECT CAST(order_number AS TEXT), CAST(shop AS TEXT), CAST(status AS TEXT) FROM orders WHERE shop <> '' OR status <> 'open'",
                3,
            ),
            // the buyer's note and the shipping method, where a shop's export had them
            (
                "SELECT CAST(order_number AS TEXT), CAST(note AS TEXT), CAST(shipping_method AS TEXT) FROM orders WHERE note <> '' OR shipping_method <> ''",
                3,
            ),
        ],
    }
}

const KINDS: [MasterKind; 5] = [
    MasterKind::Items,
    MasterKind::Suppliers,
    MasterKind::Customers,
    MasterKind::Boms,
    MasterKind::Orders,
];

/// The tables of each kind that count in a digest only when they have rows: added later
/// (shop orders, supplier addresses, net contents), so the digests journaled before them stay right.
fn added_later(kind: MasterKind, table: usize) -> bool {
    match kind {
        MasterKind::Items | MasterKind::Suppliers | MasterKind::Customers | MasterKind::Boms => {
            table >= 1
        }
        MasterKind::Orders => table >= 2,
    }
}

/// A kind's rows grouped by their key (every table's first column; compared case-blind,
/// as the keys are), each key's rows as JSON arrays, sorted: what an import compares before
/// and after its writes to say what it changed.
pub(crate) fn keyed(
    db: &Db,
    kind: MasterKind,
) -> Result<std::collections::HashMap<String, Vec<String>>, StoreError> {
    let mut keyed: std::collections::HashMap<String, Vec<String>> = Default::default();
    for &(sql, width) in tables(kind) {
        let rows = db.rows(sql, params![], |r| {
            let mut row = Vec::with_capacity(width);
            for c in 0..width {
                row.push(r.get::<Option<String>>(c)?);
            }
            Ok(row)
        })?;
        for row in rows {
            let key = row[0].clone().unwrap_or_default().to_lowercase();
            keyed
                .entry(key)
                .or_default()
                .push(serde_json::to_string(&row).expect("strings serialise"));
        }
    }
    for rows in keyed.values_mut() {
        rows.sort_unstable();
    }
    Ok(keyed)
}

/// Hex SHA-256 of a kind's tables: each row as a JSON array of its columns as text, rows
/// sorted bytewise (so both backends, with their own collations, give the same digest).
pub(crate) fn digest(db: &Db, kind: MasterKind) -> Result<String, StoreError> {
    let mut hasher = Sha256::new();
    for (i, &(sql, width)) in tables(kind).iter().enumerate() {
        let mut rows = db.rows(sql, params![], |r| {
            let mut row = Vec::with_capacity(width);
            for c in 0..width {
                row.push(r.get::<Option<String>>(c)?);
            }
            Ok(serde_json::to_string(&row).expect("strings serialise"))
        })?;
        rows.sort_unstable();
        if added_later(kind, i) && rows.is_empty() {
            continue;
        }
        hasher.update(format!("table {i}\n"));
        for row in rows {
            hasher.update(row);
            hasher.update(b"\n");
        }
    }
    Ok(crate::core::hex(&hasher.finalize()))
}

impl Store {
    /// Master-data tables that differ from what their last import left, in words.
    pub(crate) fn check_master_data(&self) -> Result<Vec<String>, StoreError> {
        let imports = self.db.rows(
            "SELECT seq, body FROM journal WHERE kind = 'import' ORDER BY seq",
            params![],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)),
        )?;
        let mut problems = Vec::new();
        for kind in KINDS {
            // the last import that wrote this kind's tables: its own, or one that wrote
            // them along the way (a shop's orders create customers) and kept their digest
            let last = imports.iter().rev().find_map(|(seq, body)| {
                let mut body: serde_json::Value = serde_json::from_str(body).ok()?;
                if body["kind"] == kind.name() {
                    return Some((*seq, body));
                }
                let digest = body["digests"][kind.name()].take();
                digest.is_string().then(|| {
                    body["tables_sha256"] = digest;
                    (*seq, body)
                })
            });
            let now = digest(&self.db, kind)?;
            match last {
                None if now != digest_of_nothing(kind) => problems.push(format!(
                    "{}: the table has rows but no import of {} is in the journal",
                    kind.name(),
                    kind.name()
                )),
                None => {}
                // imports journaled before the digest was kept cannot be checked
                Some((_, body)) if body["tables_sha256"].is_null() => {}
                Some((seq, body)) if body["tables_sha256"] != now.as_str() => {
                    problems.push(format!(
                        "{}: changed outside an import: the table now hashes to {}, the last import (journal entry {seq}, {}) left {}",
                        kind.name(),
                        &now[..12],
                        body["file"].as_str().unwrap_or("?"),
                        body["tables_sha256"].as_str().map_or("?", |h| h.get(..12).unwrap_or(h)),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(problems)
    }
}

/// The digest of a kind's empty tables.
fn digest_of_nothing(kind: MasterKind) -> String {
    let mut hasher = Sha256::new();
    for i in (0..tables(kind).len()).filter(|&i| !added_later(kind, i)) {
        hasher.update(format!("table {i}\n"));
    }
    crate::core::hex(&hasher.finalize())
}
