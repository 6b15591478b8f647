//! Master data into the store: one transaction per file, checked against what is already
//! there, journaled as an `import` entry. History is never touched.

use crate::store::sql::{Optional, params};
use sha2::{Digest, Sha256};

use crate::core::codes::{Quantity, Unit};
use crate::masterdata::{ImportError, MasterFile, MasterKind, OrderRow};
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
    pub updated: usize,
}

fn located(file: &str, line: u64, column: &str, message: String) -> StoreError {
    ImportError::at(file, line, column, message).into()
}

impl Store {
    /// Imports one parsed master-data file, all or nothing.
    pub fn import_master(
        &mut self,
        file: &str,
        content_sha256: &str,
        data: &MasterFile,
        at: jiff::Timestamp,
    ) -> Result<ImportSummary, StoreError> {
        let tx = self.begin()?;
        let (kind, rows, inserted, updated) = {
            let t = &tx.db;
            let exists = |sql: &str, key: &str| -> Result<bool, StoreError> {
                Ok(t.row(sql, params![key], |_| Ok(())).optional()?.is_some())
            };
            let mut inserted = 0;
            let mut updated = 0;
            let mut count = |existed: bool| {
                if existed { updated += 1 } else { inserted += 1 }
            };
            let (kind, rows) = match data {
                MasterFile::Items(rows, given) => {
                    for row in rows {
                        if let Some(gtin) = &row.gtin {
                            let owner: Option<String> = t
                                .row(
                                    "SELECT sku FROM items WHERE gtin = $1 AND sku <> $2",
                                    params![gtin.as_str(), row.sku],
                                    |r| r.get(0),
                                )
                                .optional()?;
                            if let Some(owner) = owner {
                                return Err(located(
                                    file,
                                    row.line,
                                    "gtin",
                                    format!("GTIN {gtin} belongs to item {owner} already"),
                                ));
                            }
                        }
                        let old_unit: Option<String> = t
                            .row(
                                "SELECT unit FROM items WHERE sku = $1",
                                params![&row.sku],
                                |r| r.get(0),
                            )
                            .optional()?;
                        if let Some(old) = &old_unit
                            && let Some(old_unit) = Unit::parse(old)
                            && old_unit.dimension() != row.unit.dimension()
                        {
                            let used =
                                exists("SELECT 1 FROM lots WHERE item_sku = $1 LIMIT 1", &row.sku)?
                                    || exists(
                                        "SELECT 1 FROM batches WHERE product_sku = $1 LIMIT 1",
                                        &row.sku,
                                    )?;
                            if used {
                                return Err(located(
                                    file,
                                    row.line,
                                    "unit",
                                    format!(
                                        "{} has recorded lots in {old}; its unit cannot become {}",
                                        row.sku, row.unit
                                    ),
                                ));
                            }
                        }
                        count(old_unit.is_some());
                        t.execute(
                            "INSERT INTO items (sku, name, kind, unit, lot_prefix, gtin, shelf_life_days, net_content)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                             ON CONFLICT(sku) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                               unit = excluded.unit,
                               lot_prefix = CASE WHEN $9 = 1 THEN excluded.lot_prefix ELSE items.lot_prefix END,
                               gtin = CASE WHEN $10 = 1 THEN excluded.gtin ELSE items.gtin END,
                               shelf_life_days = CASE WHEN $11 = 1 THEN excluded.shelf_life_days ELSE items.shelf_life_days END,
                               net_content = CASE WHEN $12 = 1 THEN excluded.net_content ELSE items.net_content END",
                            params![
                                row.sku,
                                row.name,
                                match row.kind {
                                    crate::core::workflow::ItemKind::Material => "material",
                                    crate::core::workflow::ItemKind::Product => "product",
                                },
                                row.unit.symbol(),
                                row.lot_prefix,
                                row.gtin.as_ref().map(|g| g.as_str().to_string()),
                                row.shelf_life_days,
                                row.net_content.map(|n| n.to_string()),
                                given.has("lot_prefix"),
                                given.has("gtin"),
                                given.has("shelf_life_days"),
                                given.has("net_content")
                            ],
                        )?;
                    }
                    (MasterKind::Items, rows.len())
                }
                MasterFile::Suppliers(rows, given) => {
                    for row in rows {
                        count(exists(
                            "SELECT 1 FROM suppliers WHERE code = $1",
                            &row.code,
                        )?);
                        t.execute(
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
                    (MasterKind::Suppliers, rows.len())
                }
                MasterFile::Customers(rows, given) => {
                    for row in rows {
                        count(exists(
                            "SELECT 1 FROM customers WHERE code = $1",
                            &row.code,
                        )?);
                        t.execute(
                            "INSERT INTO customers (code, name, email, phone, address) VALUES ($1, $2, $3, $4, $5)
                             ON CONFLICT(code) DO UPDATE SET name = excluded.name,
                               email = CASE WHEN $6 = 1 THEN excluded.email ELSE customers.email END,
                               phone = CASE WHEN $7 = 1 THEN excluded.phone ELSE customers.phone END,
                               address = CASE WHEN $8 = 1 THEN excluded.address ELSE customers.address END",
                            params![row.code, row.name, row.fields[0], row.fields[1], row.fields[2],
                                given.has("email"), given.has("phone"), given.has("address")],
                        )?;
                    }
                    (MasterKind::Customers, rows.len())
                }
                MasterFile::Boms(rows) => {
                    let mut cleared = std::collections::HashSet::new();
                    for row in rows {
                        let product: Option<(String, String)> = t
                            .row(
                                "SELECT kind, unit FROM items WHERE sku = $1",
                                params![&row.product_sku],
                                |r| Ok((r.get(0)?, r.get(1)?)),
                            )
                            .optional()?;
                        let product_unit = product
                            .as_ref()
                            .and_then(|(_, unit)| Unit::parse(unit))
                            .unwrap_or(Unit::Each);
                        match product.as_ref().map(|(kind, _)| kind.as_str()) {
                            None => {
                                return Err(located(
                                    file,
                                    row.line,
                                    "product_sku",
                                    format!("unknown item {}", row.product_sku),
                                ));
                            }
                            Some("product") => {}
                            Some(_) => {
                                return Err(located(
                                    file,
                                    row.line,
                                    "product_sku",
                                    format!(
                                        "{} is a material; only products have a bill of materials",
                                        row.product_sku
                                    ),
                                ));
                            }
                        }
                        let material_unit: Option<String> = t
                            .row(
                                "SELECT unit FROM items WHERE sku = $1",
                                params![&row.material_sku],
                                |r| r.get(0),
                            )
                            .optional()?;
                        let Some(material_unit) = material_unit.as_deref().and_then(Unit::parse)
                        else {
                            return Err(located(
                                file,
                                row.line,
                                "material_sku",
                                format!("unknown item {}", row.material_sku),
                            ));
                        };
                        let quantity = Quantity::convert(row.quantity, row.unit, material_unit)
                            .map_err(|e| located(file, row.line, "unit", e.to_string()))?;
                        if cleared.insert(row.product_sku.clone()) {
                            let existed = exists(
                                "SELECT 1 FROM boms WHERE product_sku = $1 LIMIT 1",
                                &row.product_sku,
                            )?;
                            t.execute(
                                "DELETE FROM boms WHERE product_sku = $1",
                                params![&row.product_sku],
                            )?;
                            count(existed);
                        }
                        // the batch size the quantities are for, in the product's unit
                        let per = match row.per {
                            None => None,
                            Some(per) => {
                                let per = Quantity::convert(per, product_unit, product_unit)
                                    .map_err(|e| located(file, row.line, "per", e.to_string()))?;
                                Some(per.base)
                            }
                        };
                        t.execute(
                            "INSERT INTO boms (product_sku, material_sku, quantity, per) VALUES ($1, $2, $3, $4)",
                            params![row.product_sku, row.material_sku, quantity.base, per],
                        )?;
                    }
                    (MasterKind::Boms, rows.len())
                }
                MasterFile::Orders(rows) => {
                    let mut orders: Vec<(&str, Vec<&OrderRow>)> = Vec::new();
                    for row in rows {
                        match orders.iter_mut().find(|(n, _)| *n == row.order_number) {
                            Some((_, lines)) => {
                                if lines[0].customer_code != row.customer_code {
                                    return Err(located(
                                        file,
                                        row.line,
                                        "customer_code",
                                        format!(
                                            "order {} is for customer {} on line {}",
                                            row.order_number, lines[0].customer_code, lines[0].line
                                        ),
                                    ));
                                }
                                lines.push(row);
                            }
                            None => orders.push((&row.order_number, vec![row])),
                        }
                    }
                    for (number, lines) in &orders {
                        let first = lines[0];
                        if !exists(
                            "SELECT 1 FROM customers WHERE code = $1",
                            &first.customer_code,
                        )? {
                            return Err(located(
                                file,
                                first.line,
                                "customer_code",
                                format!("unknown customer {}", first.customer_code),
                            ));
                        }
                        let existed =
                            exists("SELECT 1 FROM orders WHERE order_number = $1", number)?;
                        count(existed);
                        t.execute(
                            "DELETE FROM order_lines WHERE order_number = $1",
                            params![number],
                        )?;
                        t.execute(
                            "INSERT INTO orders (order_number, customer_code, ordered_at) VALUES ($1, $2, $3)
                             ON CONFLICT(order_number) DO UPDATE SET customer_code = excluded.customer_code,
                               ordered_at = excluded.ordered_at",
                            params![number, first.customer_code, first.ordered_at],
                        )?;
                        for (i, line) in lines.iter().enumerate() {
                            let unit: Option<String> = t
                                .row(
                                    "SELECT unit FROM items WHERE sku = $1",
                                    params![&line.sku],
                                    |r| r.get(0),
                                )
                                .optional()?;
                            let Some(unit) = unit.as_deref().and_then(Unit::parse) else {
                                return Err(located(
                                    file,
                                    line.line,
                                    "sku",
                                    format!("unknown item {}", line.sku),
                                ));
                            };
                            let quantity = Quantity::convert(line.quantity, unit, unit)
                                .map_err(|e| located(file, line.line, "quantity", e.to_string()))?;
                            t.execute(
                                "INSERT INTO order_lines (order_number, line_no, sku, quantity) VALUES ($1, $2, $3, $4)",
                                params![number, i as i64 + 1, line.sku, quantity.base],
                            )?;
                        }
                    }
                    (MasterKind::Orders, orders.len())
                }
            };
            (kind, rows, inserted, updated)
        };
        let tables_sha256 = crate::store::ledger::masterstate::digest(tx.db, kind)?;
        let body = serde_json::json!({
            "file": file,
            "kind": kind.name(),
            "rows": rows,
            "inserted": inserted,
            "updated": updated,
            "sha256": content_sha256,
            "tables_sha256": tables_sha256,
        });
        tx.commit_import(at, &body)?;
        Ok(ImportSummary {
            kind,
            rows,
            inserted,
            updated,
        })
    }
}

/// Hex SHA-256 of a file's bytes, for the import's journal entry.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::core::hex(&Sha256::digest(bytes))
}
