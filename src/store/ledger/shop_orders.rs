//! Orders from a shop's export into the store: customers found by email (or the shop's
//! buyer id) and created or updated, orders created or updated, lines mapped to our items.
//! All in one transaction; journaled only when something changed, so importing the same
//! export again (or an overlapping newer one) leaves the journal as it was for what is the
//! same.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::codes::{Quantity, Unit};
use crate::masterdata::MasterKind;
use crate::shops::{OrderStatus, Shop, ShopOrder};
use crate::store::sql::{Optional, params};
use crate::store::{Store, StoreError};

/// A shop line that did not become an order line: its SKU is none of our items and the
/// SKU map does not name one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedLine {
    pub file: String,
    pub line: u64,
    pub order: String,
    pub sku: String,
    pub name: String,
}

/// What an import of a shop's orders did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShopImportSummary {
    pub shop: &'static str,
    pub orders: usize,
    pub orders_new: usize,
    pub orders_updated: usize,
    pub customers_new: usize,
    pub customers_updated: usize,
    /// orders the shop says are cancelled or refunded: (number, status)
    pub not_to_ship: Vec<(String, &'static str)>,
    pub skipped: Vec<SkippedLine>,
    /// whether a journal entry was written (only when something changed)
    pub journaled: bool,
}

/// Shop SKUs (or product names) to our SKUs, compared case-blind.
#[derive(Debug, Clone, Default)]
pub struct SkuMap {
    map: BTreeMap<String, String>,
}

impl SkuMap {
    pub fn insert(&mut self, shop: &str, ours: &str) {
        self.map
            .insert(shop.trim().to_lowercase(), ours.trim().to_string());
    }

    fn get(&self, key: &str) -> Option<&str> {
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        self.map.get(&key.to_lowercase()).map(String::as_str)
    }

    pub fn targets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Store {
    /// Imports a shop's orders (read by `shops::read`), all or nothing.
    pub fn import_shop_orders(
        &mut self,
        shop: Shop,
        files: &str,
        content_sha256: &str,
        orders: &[ShopOrder],
        skus: &SkuMap,
        at: jiff::Timestamp,
    ) -> Result<ShopImportSummary, StoreError> {
        let tx = self.begin()?;
        let t = tx.db;
        // our items, by SKU case-blind, with their units
        let items: BTreeMap<String, (String, Unit)> = t
            .rows("SELECT sku, unit FROM items", params![], |r| {
                Ok((r.get::<String>(0)?, r.get::<String>(1)?))
            })?
            .into_iter()
            .map(|(sku, unit)| {
                (
                    sku.to_lowercase(),
                    (sku, Unit::parse(&unit).unwrap_or(Unit::Each)),
                )
            })
            .collect();
        for (shop_sku, ours) in skus.targets() {
            if !items.contains_key(&ours.to_lowercase()) {
                return Err(StoreError::Refused(format!(
                    "the SKU map sends {shop_sku:?} to {ours:?}, which is not one of our items"
                )));
            }
        }
        let mut summary = ShopImportSummary {
            shop: shop.name(),
            orders: orders.len(),
            orders_new: 0,
            orders_updated: 0,
            customers_new: 0,
            customers_updated: 0,
            not_to_ship: Vec::new(),
            skipped: Vec::new(),
            journaled: false,
        };
        // customers this import wrote already (each counted once)
        let mut customers_seen: BTreeSet<String> = BTreeSet::new();
        for order in orders {
            // the customer: by email across shops, else by this shop's buyer id, else by
            // name and address; a new one is keyed by the email (or shop and buyer)
            let c = &order.customer;
            let found: Option<String> = if !c.email.is_empty() {
                t.row(
                    "SELECT code FROM customers WHERE lower(email) = lower($1) ORDER BY code LIMIT 1",
                    params![c.email],
                    |r| r.get(0),
                )
                .optional()?
            } else if !c.buyer_id.is_empty() {
                t.row(
                    "SELECT code FROM customers WHERE code = $1",
                    params![format!("{}-{}", shop.name(), c.buyer_id)],
                    |r| r.get(0),
                )
                .optional()?
            } else {
                t.row(
                    "SELECT code FROM customers WHERE lower(name) = lower($1) AND lower(address) = lower($2) ORDER BY code LIMIT 1",
                    params![c.name, c.address],
                    |r| r.get(0),
                )
                .optional()?
            };
            let code = match &found {
                Some(code) => code.clone(),
                None if !c.email.is_empty() => c.email.to_lowercase(),
                None if !c.buyer_id.is_empty() => format!("{}-{}", shop.name(), c.buyer_id),
                None => format!("{}-{}", shop.name(), order.number.trim_start_matches('#')),
            };
            let existing: Option<[String; 4]> = t
                .row(
                    "SELECT name, email, phone, address FROM customers WHERE code = $1",
                    params![code],
                    |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
                )
                .optional()?;
            // what the shop has, where it has something
            let pick = |shop: &str, old: Option<&String>| -> String {
                if shop.is_empty() {
                    old.cloned().unwrap_or_default()
                } else {
                    shop.to_string()
                }
            };
            let old = |i: usize| existing.as_ref().map(|e| &e[i]);
            // an email the same but for case stays as it was written
            let email = match old(1) {
                Some(known) if known.to_lowercase() == c.email.to_lowercase() => known.clone(),
                known => pick(&c.email, known),
            };
            let mut name = pick(&c.name, old(0));
            if name.is_empty() {
                name = code.clone();
            }
            let wanted = [
                name,
                email,
                pick(&c.phone, old(2)),
                pick(&c.address, old(3)),
            ];
            match &existing {
                Some(old) if *old == wanted => {}
                Some(_) => {
                    t.execute(
                        "UPDATE customers SET name = $2, email = $3, phone = $4, address = $5 WHERE code = $1",
                        params![code, wanted[0], wanted[1], wanted[2], wanted[3]],
                    )?;
                    if customers_seen.insert(code.clone()) {
                        summary.customers_updated += 1;
                    }
                }
                None => {
                    t.execute(
                        "INSERT INTO customers (code, name, email, phone, address) VALUES ($1, $2, $3, $4, $5)",
                        params![code, wanted[0], wanted[1], wanted[2], wanted[3]],
                    )?;
                    customers_seen.insert(code.clone());
                    summary.customers_new += 1;
                }
            }
            // the lines, as our items
            let mut lines: Vec<(String, i64)> = Vec::new();
            for line in &order.lines {
                // the map by the shop's SKU, then by the product's name; else the SKU itself
                let key = skus
                    .get(&line.sku)
                    .or_else(|| skus.get(&line.name))
                    .unwrap_or(line.sku.trim());
                let ours = items.get(&key.to_lowercase());
                let Some((sku, unit)) = ours else {
                    summary.skipped.push(SkippedLine {
                        file: order.file.clone(),
                        line: line.line,
                        order: order.number.clone(),
                        sku: line.sku.clone(),
                        name: line.name.clone(),
                    });
                    continue;
                };
                let quantity = Quantity::convert(line.quantity, *unit, *unit).map_err(|e| {
                    StoreError::Refused(format!(
                        "{} line {}: order {} quantity: {e}",
                        order.file, line.line, order.number
                    ))
                })?;
                match lines.iter_mut().find(|(s, _)| s == sku) {
                    Some((_, q)) => *q += quantity.base,
                    None => lines.push((sku.clone(), quantity.base)),
                }
            }
            if order.status != OrderStatus::Open {
                summary
                    .not_to_ship
                    .push((order.number.clone(), order.status.name()));
            }
            // the order: unchanged, updated or new
            let old: Option<(String, String, String, String)> = t
                .row(
                    "SELECT customer_code, ordered_at, shop, status FROM orders WHERE order_number = $1",
                    params![order.number],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            if let Some((_, _, old_shop, _)) = &old
                && old_shop != shop.name()
            {
                let from = if old_shop.is_empty() {
                    "orders.csv".to_string()
                } else {
                    old_shop.clone()
                };
                return Err(StoreError::Refused(format!(
                    "{} line {}: order {} was imported from {from} already; two shops cannot share an order number",
                    order.file, order.line, order.number
                )));
            }
            let old_lines: Vec<(String, i64)> = t.rows(
                "SELECT sku, quantity FROM order_lines WHERE order_number = $1 ORDER BY line_no",
                params![order.number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let same = old
                .as_ref()
                .is_some_and(|(customer, ordered_at, _, status)| {
                    *customer == code
                        && *ordered_at == order.ordered_at
                        && status == order.status.name()
                        && old_lines == lines
                });
            if same {
                continue;
            }
            if old.is_some() {
                summary.orders_updated += 1;
            } else {
                summary.orders_new += 1;
            }
            t.execute(
                "DELETE FROM order_lines WHERE order_number = $1",
                params![order.number],
            )?;
            t.execute(
                "INSERT INTO orders (order_number, customer_code, ordered_at, shop, status) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT(order_number) DO UPDATE SET customer_code = excluded.customer_code,
                   ordered_at = excluded.ordered_at, shop = excluded.shop, status = excluded.status",
                params![
                    order.number,
                    code,
                    order.ordered_at,
                    shop.name(),
                    order.status.name()
                ],
            )?;
            for (i, (sku, quantity)) in lines.iter().enumerate() {
                t.execute(
                    "INSERT INTO order_lines (order_number, line_no, sku, quantity) VALUES ($1, $2, $3, $4)",
                    params![order.number, i as i64 + 1, sku, quantity],
                )?;
            }
        }
        let changed = summary.orders_new
            + summary.orders_updated
            + summary.customers_new
            + summary.customers_updated
            > 0;
        if !changed {
            // nothing to record: the transaction ends without a journal entry
            return Ok(summary);
        }
        let orders_sha256 = crate::store::ledger::masterstate::digest(tx.db, MasterKind::Orders)?;
        let customers_sha256 =
            crate::store::ledger::masterstate::digest(tx.db, MasterKind::Customers)?;
        let body = serde_json::json!({
            "file": files,
            "kind": MasterKind::Orders.name(),
            "shop": shop.name(),
            "rows": orders.len(),
            "inserted": summary.orders_new,
            "updated": summary.orders_updated,
            "customers_inserted": summary.customers_new,
            "customers_updated": summary.customers_updated,
            "skipped_lines": summary.skipped.len(),
            "sha256": content_sha256,
            "tables_sha256": orders_sha256,
            "digests": { MasterKind::Customers.name(): customers_sha256 },
        });
        tx.commit_import(at, &body)?;
        summary.journaled = true;
        Ok(summary)
    }
}
