//! Master data into the store: one transaction per file, planned by the import's rules
//! (`core::import_plan`, over what `Records` reads of the records), written, and journaled
//! as an `import` entry. History is never touched.

use crate::store::sql::{Optional, params};
use sha2::{Digest, Sha256};

use crate::core::codes::Unit;
use crate::core::import_plan::{self, Known, KnownItem, PlanError, Write};
use crate::core::workflow::ItemKind;
use crate::masterdata::{Given, MasterFile, MasterKind};
use crate::store::sql::Db;
use crate::store::{Store, StoreError};

fn kind_name<S: serde::Serializer>(kind: &MasterKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.name())
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    #[serde(serialize_with = "kind_name")]
    pub kind: MasterKind,
    pub rows: usize,
    pub inserted: usize,
    /// records the file changed
    pub updated: usize,
    /// records the file named as they already were
    pub unchanged: usize,
    /// whether a journal entry was written (only when something changed)
    pub journaled: bool,
}

impl ImportSummary {
    /// What an import did, in words: `6 items (1 new, 2 updated, 3 unchanged)`, or that it
    /// changed nothing.
    pub fn text(&self) -> String {
        if self.journaled {
            format!(
                "{} ({} new, {} updated, {} unchanged)",
                self.kind.rows(self.rows),
                self.inserted,
                self.updated,
                self.unchanged
            )
        } else {
            format!(
                "{}, nothing changed since the last import (nothing recorded)",
                self.kind.rows(self.rows)
            )
        }
    }
}

/// What the records hold, as the import's rules ask it, read inside the import's
/// transaction.
struct Records<'a> {
    db: &'a Db,
}

impl Records<'_> {
    fn exists(&self, sql: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .db
            .row(sql, params![key], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

impl Known for Records<'_> {
    type Error = StoreError;

    fn item(&mut self, sku: &str) -> Result<Option<KnownItem>, StoreError> {
        let found: Option<(String, String)> = self
            .db
            .row(
                "SELECT kind, unit FROM items WHERE sku = $1",
                params![sku],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(found.map(|(kind, unit)| KnownItem {
            kind: if kind == "product" {
                ItemKind::Product
            } else {
                ItemKind::Material
            },
            unit: Unit::parse(&unit),
        }))
    }

    fn gtin_owner(&mut self, gtin: &str, sku: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT sku FROM items WHERE gtin = $1 AND sku <> $2",
                params![gtin, sku],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn has_stock(&mut self, sku: &str) -> Result<bool, StoreError> {
        Ok(
            self.exists("SELECT 1 FROM lots WHERE item_sku = $1 LIMIT 1", sku)?
                || self.exists("SELECT 1 FROM batches WHERE product_sku = $1 LIMIT 1", sku)?,
        )
    }

    fn supplier_exists(&mut self, code: &str) -> Result<bool, StoreError> {
        self.exists("SELECT 1 FROM suppliers WHERE code = $1", code)
    }

    fn customer_exists(&mut self, code: &str) -> Result<bool, StoreError> {
        self.exists("SELECT 1 FROM customers WHERE code = $1", code)
    }

    fn bom_exists(&mut self, product_sku: &str) -> Result<bool, StoreError> {
        self.exists(
            "SELECT 1 FROM boms WHERE product_sku = $1 LIMIT 1",
            product_sku,
        )
    }

    fn order_exists(&mut self, number: &str) -> Result<bool, StoreError> {
        self.exists("SELECT 1 FROM orders WHERE order_number = $1", number)
    }
}

impl Store {
    /// Imports one parsed master-data file, all or nothing: planned by the import's rules
    /// (`core::import_plan`) over what the records hold, then written.
    pub fn import_master(
        &mut self,
        file: &str,
        content_sha256: &str,
        data: &MasterFile,
        at: jiff::Timestamp,
    ) -> Result<ImportSummary, StoreError> {
        self.import_master_by(file, content_sha256, data, at, None)
    }

    /// `import_master`, journaled as `operator`'s (a console account).
    pub fn import_master_by(
        &mut self,
        file: &str,
        content_sha256: &str,
        data: &MasterFile,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<ImportSummary, StoreError> {
        let tx = self.begin()?;
        let planned = match import_plan::plan(file, data, &mut Records { db: tx.db }) {
            Ok(planned) => planned,
            Err(PlanError::Rule(e)) => return Err(e.into()),
            Err(PlanError::Known(e)) => return Err(e),
        };
        let before = crate::store::ledger::masterstate::keyed(tx.db, planned.kind)?;
        let given = match data {
            MasterFile::Items(_, given)
            | MasterFile::Suppliers(_, given)
            | MasterFile::Customers(_, given) => given.clone(),
            _ => Given::default(),
        };
        for write in &planned.writes {
            write_master(tx.db, write, &given)?;
        }
        let kind = planned.kind;
        // what the writes changed, key by key: a record named as it already was is no change
        let after = crate::store::ledger::masterstate::keyed(tx.db, kind)?;
        let mut keys: Vec<String> = planned
            .writes
            .iter()
            .map(|w| w.key().to_lowercase())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let (mut inserted, mut updated, mut unchanged) = (0, 0, 0);
        for key in &keys {
            match before.get(key) {
                None => inserted += 1,
                Some(rows) if Some(rows) != after.get(key) => updated += 1,
                Some(_) => unchanged += 1,
            }
        }
        let mut summary = ImportSummary {
            kind,
            rows: planned.rows,
            inserted,
            updated,
            unchanged,
            journaled: false,
        };
        if inserted + updated == 0 {
            // nothing to record: the transaction ends without a journal entry
            return Ok(summary);
        }
        let tables_sha256 = crate::store::ledger::masterstate::digest(tx.db, kind)?;
        let body = serde_json::json!({
            "file": file,
            "kind": kind.name(),
            "rows": planned.rows,
            "inserted": inserted,
            "updated": updated,
            "sha256": content_sha256,
            "tables_sha256": tables_sha256,
        });
        tx.commit_import(at, &body, operator)?;
        summary.journaled = true;
        Ok(summary)
    }
}

/// One write of a plan. A column the file has not leaves the field as it was
/// (`CASE WHEN $n = 1`); an empty cell in one it has clears it.
fn write_master(db: &Db, write: &Write<'_>, given: &Given) -> Result<(), StoreError> {
    match write {
        Write::Item(row) => {
            db.execute(
                "INSERT INTO items (sku, name, kind, unit, lot_prefix, gtin, shelf_life_days, net_content, pao_months, reorder_point)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $13, $15)
                 ON CONFLICT(sku) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                   unit = excluded.unit,
                   lot_prefix = CASE WHEN $9 = 1 THEN excluded.lot_prefix ELSE items.lot_prefix END,
                   gtin = CASE WHEN $10 = 1 THEN excluded.gtin ELSE items.gtin END,
                   shelf_life_days = CASE WHEN $11 = 1 THEN excluded.shelf_life_days ELSE items.shelf_life_days END,
                   net_content = CASE WHEN $12 = 1 THEN excluded.net_content ELSE items.net_content END,
                   pao_months = CASE WHEN $14 = 1 THEN excluded.pao_months ELSE items.pao_months END,
                   reorder_point = CASE WHEN $16 = 1 THEN excluded.reorder_point ELSE items.reorder_point END",
                params![
                    row.sku,
                    row.name,
                    match row.kind {
                        ItemKind::Material => "material",
                        ItemKind::Product => "product",
                    },
                    row.unit.symbol(),
                    row.lot_prefix,
                    row.gtin.as_ref().map(|g| g.as_str().to_string()),
                    row.shelf_life_days,
                    row.net_content.map(|n| n.to_string()),
                    given.has("lot_prefix"),
                    given.has("gtin"),
                    given.has("shelf_life_days"),
                    given.has("net_content"),
                    row.pao_months.map(i64::from),
                    given.has("pao_months"),
                    row.reorder_point,
                    given.has("reorder_point")
                ],
            )?;
        }
        Write::Supplier(row) => {
            db.execute(
                "INSERT INTO suppliers (code, name, contact, email, phone, address) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name,
                   contact = CASE WHEN $7 = 1 THEN excluded.contact ELSE suppliers.contact END,
                   email = CASE WHEN $8 = 1 THEN excluded.email ELSE suppliers.email END,
                   phone = CASE WHEN $9 = 1 THEN excluded.phone ELSE suppliers.phone END,
                   address = CASE WHEN $10 = 1 THEN excluded.address ELSE suppliers.address END",
                params![row.code, row.name, row.fields[0], row.fields[1], row.fields[2], row.address,
                    given.has("contact"), given.has("email"), given.has("phone"), given.has("address")],
            )?;
        }
        Write::Customer(row) => {
            db.execute(
                "INSERT INTO customers (code, name, email, phone, address) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name,
                   email = CASE WHEN $6 = 1 THEN excluded.email ELSE customers.email END,
                   phone = CASE WHEN $7 = 1 THEN excluded.phone ELSE customers.phone END,
                   address = CASE WHEN $8 = 1 THEN excluded.address ELSE customers.address END",
                params![row.code, row.name, row.fields[0], row.fields[1], row.fields[2],
                    given.has("email"), given.has("phone"), given.has("address")],
            )?;
        }
        Write::Bom { product_sku, lines } => {
            db.execute(
                "DELETE FROM boms WHERE product_sku = $1",
                params![product_sku],
            )?;
            for (material, quantity, per) in lines {
                db.execute(
                    "INSERT INTO boms (product_sku, material_sku, quantity, per) VALUES ($1, $2, $3, $4)",
                    params![product_sku, material, quantity, per],
                )?;
            }
        }
        Write::Order {
            number,
            customer_code,
            ordered_at,
            lines,
        } => {
            db.execute(
                "INSERT INTO orders (order_number, customer_code, ordered_at) VALUES ($1, $2, $3)
                 ON CONFLICT(order_number) DO UPDATE SET customer_code = excluded.customer_code,
                   ordered_at = excluded.ordered_at",
                params![number, customer_code, ordered_at],
            )?;
            replace_order_lines(db, number, lines)?;
        }
    }
    Ok(())
}

/// An order's lines replaced by `lines` (SKU, base units), numbered from 1: what both
/// orders.csv and a shop's export write once the order itself is.
pub(crate) fn replace_order_lines<S: AsRef<str>>(
    db: &Db,
    number: &str,
    lines: &[(S, i64)],
) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM order_lines WHERE order_number = $1",
        params![number],
    )?;
    for (i, (sku, quantity)) in lines.iter().enumerate() {
        db.execute(
            "INSERT INTO order_lines (order_number, line_no, sku, quantity) VALUES ($1, $2, $3, $4)",
            params![number, i as i64 + 1, sku.as_ref(), quantity],
        )?;
    }
    Ok(())
}

/// Hex SHA-256 of a file's bytes, for the import's journal entry.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::core::hex(&Sha256::digest(bytes))
}

impl Store {
    /// Retires an item (kept for the records; no longer received, made or on the command
    /// sheet), or brings it back; journaled as a master-data change with the digest it
    /// leaves, as an import is.
    pub fn retire_item(
        &mut self,
        sku: &str,
        retire: bool,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let found: Option<Option<String>> = self
            .db
            .row(
                "SELECT retired_at FROM items WHERE sku = $1",
                params![sku],
                |r| r.get(0),
            )
            .optional()?;
        may_retire(found, retire, sku, || format!("no item has the SKU {sku}"))?;
        let tx = self.begin()?;
        let when = retire.then(|| at.to_string());
        tx.db.execute(
            "UPDATE items SET retired_at = $1 WHERE sku = $2",
            params![when, sku],
        )?;
        let action = if retire { "retired" } else { "brought back" };
        master_change(tx, MasterKind::Items, action, sku, at, operator)
    }

    /// Deletes an item no record uses (no lot, batch, recipe, order line or expected
    /// delivery names it); one that is used is refused with what uses it (retire it).
    pub fn delete_item(
        &mut self,
        sku: &str,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let exists = self
            .db
            .row("SELECT 1 FROM items WHERE sku = $1", params![sku], |_| {
                Ok(())
            })
            .optional()?
            .is_some();
        if !exists {
            return Err(StoreError::NotFound(format!("no item has the SKU {sku}")));
        }
        let mut uses = Vec::new();
        for (what, sql) in [
            ("lot", "SELECT COUNT(*) FROM lots WHERE item_sku = $1"),
            (
                "batch",
                "SELECT COUNT(*) FROM batches WHERE product_sku = $1",
            ),
            (
                "recipe line",
                "SELECT COUNT(*) FROM boms WHERE product_sku = $1 OR material_sku = $1",
            ),
            (
                "order line",
                "SELECT COUNT(*) FROM order_lines WHERE sku = $1",
            ),
            (
                "expected delivery",
                "SELECT COUNT(*) FROM expected_receipts WHERE item_sku = $1",
            ),
        ] {
            let n: i64 = self.db.row(sql, params![sku], |r| r.get(0))?;
            if n > 0 {
                uses.push(match what {
                    "batch" => crate::core::counted_as(n, "batch", "batches"),
                    "expected delivery" => {
                        crate::core::counted_as(n, "expected delivery", "expected deliveries")
                    }
                    _ => crate::core::counted(n, what),
                });
            }
        }
        if !uses.is_empty() {
            return Err(StoreError::Refused(format!(
                "{sku} is named by {}: the records keep it; retire it instead",
                uses.join(", ")
            )));
        }
        let tx = self.begin()?;
        tx.db
            .execute("DELETE FROM items WHERE sku = $1", params![sku])?;
        master_change(tx, MasterKind::Items, "deleted", sku, at, operator)
    }
}

/// Journals a change of master data made in the console with the digest its tables now
/// have (as an import's entry carries), and commits.
fn master_change(
    tx: crate::store::StoreTx<'_>,
    kind: MasterKind,
    action: &str,
    key: &str,
    at: jiff::Timestamp,
    operator: Option<&str>,
) -> Result<i64, StoreError> {
    let tables_sha256 = crate::store::ledger::masterstate::digest(tx.db, kind)?;
    let body = serde_json::json!({
        "file": "the console",
        "kind": kind.name(),
        "action": action,
        "key": key,
        "rows": 1,
        "inserted": 0,
        "updated": 1,
        "tables_sha256": tables_sha256,
    });
    tx.commit_import(at, &body, operator)
}

/// What records name a party: a noun and the count query, per kind of record.
type Uses = &'static [(&'static str, &'static str)];

/// A supplier or a customer: its table and what records name one.
fn party(kind: MasterKind) -> Result<(&'static str, Uses), StoreError> {
    match kind {
        MasterKind::Suppliers => Ok((
            "suppliers",
            &[
                ("lot", "SELECT COUNT(*) FROM lots WHERE supplier_code = $1"),
                (
                    "expected delivery",
                    "SELECT COUNT(*) FROM expected_receipts WHERE supplier_code = $1",
                ),
            ],
        )),
        MasterKind::Customers => Ok((
            "customers",
            &[
                (
                    "order",
                    "SELECT COUNT(*) FROM orders WHERE customer_code = $1",
                ),
                (
                    "shipment",
                    "SELECT COUNT(*) FROM shipments WHERE customer_code = $1",
                ),
            ],
        )),
        other => Err(StoreError::Refused(format!(
            "{} are not suppliers or customers",
            other.name()
        ))),
    }
}

impl Store {
    /// Retires a supplier or customer (kept for the records; a bench refuses it, the sheet
    /// leaves it off), or brings one back; journaled with the digest its table now has.
    pub fn retire_party(
        &mut self,
        kind: MasterKind,
        code: &str,
        retire: bool,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let (table, _) = party(kind)?;
        let found: Option<Option<String>> = self
            .db
            .row(
                &format!("SELECT retired_at FROM {table} WHERE code = $1"),
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        may_retire(found, retire, code, || {
            format!(
                "no {} has the code {code}",
                kind.rows(1).trim_start_matches("1 ")
            )
        })?;
        let tx = self.begin()?;
        let when = retire.then(|| at.to_string());
        tx.db.execute(
            &format!("UPDATE {table} SET retired_at = $1 WHERE code = $2"),
            params![when, code],
        )?;
        let action = if retire { "retired" } else { "brought back" };
        master_change(tx, kind, action, code, at, operator)
    }

    /// Deletes a supplier or customer no record names; one that is named is refused with
    /// what names it (retire it instead).
    pub fn delete_party(
        &mut self,
        kind: MasterKind,
        code: &str,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let (table, uses_sql) = party(kind)?;
        let exists = self
            .db
            .row(
                &format!("SELECT 1 FROM {table} WHERE code = $1"),
                params![code],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !exists {
            return Err(StoreError::NotFound(format!(
                "no entry has the code {code}"
            )));
        }
        let mut uses = Vec::new();
        for (what, sql) in uses_sql {
            let n: i64 = self.db.row(sql, params![code], |r| r.get(0))?;
            if n > 0 {
                uses.push(match *what {
                    "expected delivery" => {
                        crate::core::counted_as(n, "expected delivery", "expected deliveries")
                    }
                    other => crate::core::counted(n, other),
                });
            }
        }
        if !uses.is_empty() {
            return Err(StoreError::Refused(format!(
                "{code} is named by {}: the records keep it; retire it instead",
                uses.join(", ")
            )));
        }
        let tx = self.begin()?;
        tx.db.execute(
            &format!("DELETE FROM {table} WHERE code = $1"),
            params![code],
        )?;
        master_change(tx, kind, "deleted", code, at, operator)
    }
}

impl Store {
    /// Retires a product's recipe (its lines kept for the records; a bench no longer plans
    /// or checks a batch against it), or brings it back; importing the product's recipe
    /// again also brings it back, with the new lines.
    pub fn retire_recipe(
        &mut self,
        product_sku: &str,
        retire: bool,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let found: Option<Option<String>> = self
            .db
            .row(
                "SELECT MIN(retired_at) FROM boms WHERE product_sku = $1 HAVING COUNT(*) > 0",
                params![product_sku],
                |r| r.get(0),
            )
            .optional()?;
        may_retire(
            found,
            retire,
            &format!("the recipe of {product_sku}"),
            || format!("{product_sku} has no recipe"),
        )?;
        let tx = self.begin()?;
        let when = retire.then(|| at.to_string());
        tx.db.execute(
            "UPDATE boms SET retired_at = $1 WHERE product_sku = $2",
            params![when, product_sku],
        )?;
        let action = if retire { "retired" } else { "brought back" };
        master_change(tx, MasterKind::Boms, action, product_sku, at, operator)
    }

    /// Deletes a product's recipe while no batch of the product has been made (one that
    /// has is the record of how they were made: retire it instead).
    pub fn delete_recipe(
        &mut self,
        product_sku: &str,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let lines: i64 = self.db.row(
            "SELECT COUNT(*) FROM boms WHERE product_sku = $1",
            params![product_sku],
            |r| r.get(0),
        )?;
        if lines == 0 {
            return Err(StoreError::NotFound(format!("{product_sku} has no recipe")));
        }
        let batches: i64 = self.db.row(
            "SELECT COUNT(*) FROM batches WHERE product_sku = $1",
            params![product_sku],
            |r| r.get(0),
        )?;
        if batches > 0 {
            return Err(StoreError::Refused(format!(
                "{} of {product_sku} {} made: the records keep its recipe; retire it instead",
                crate::core::counted_as(batches, "batch", "batches"),
                if batches == 1 { "was" } else { "were" }
            )));
        }
        let tx = self.begin()?;
        tx.db.execute(
            "DELETE FROM boms WHERE product_sku = $1",
            params![product_sku],
        )?;
        master_change(tx, MasterKind::Boms, "deleted", product_sku, at, operator)
    }
}

/// Whether `name`, found with its `retired_at` (or not found: `missing` says so), may be
/// retired (`retire`) or brought back.
fn may_retire(
    found: Option<Option<String>>,
    retire: bool,
    name: &str,
    missing: impl FnOnce() -> String,
) -> Result<(), StoreError> {
    match (found, retire) {
        (None, _) => Err(StoreError::NotFound(missing())),
        (Some(Some(_)), true) => Err(StoreError::Refused(format!("{name} is retired already"))),
        (Some(None), false) => Err(StoreError::Refused(format!("{name} is not retired"))),
        _ => Ok(()),
    }
}
