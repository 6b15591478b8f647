//! Orders from a shop's export into the store: planned by the import's rules
//! (`core::shop_plan`: customers found by email or the shop's buyer id, created or
//! updated; orders created or updated; lines mapped to our items) over what `Records`
//! reads of the records, then written. All in one transaction; journaled only when
//! something changed, so importing the same export again (or an overlapping newer one)
//! leaves the journal as it was for what is the same.

use crate::core::codes::Unit;
use crate::core::shop_plan::{self, Contact, KnownOrder, ShopPlanError, ShopRecords, ShopWrite};
pub use crate::core::shop_plan::{SkippedLine, SkuMap};
use crate::masterdata::MasterKind;
use crate::shops::{Shop, ShopOrder};
use crate::store::sql::{Db, Optional, params};
use crate::store::{Store, StoreError};

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
    /// orders with no line of ours, not imported
    pub without_ours: Vec<String>,
    /// whether a journal entry was written (only when something changed)
    pub journaled: bool,
}

/// What the records hold, as the shop import's rules ask it, read inside its transaction.
struct Records<'a> {
    db: &'a Db,
}

impl ShopRecords for Records<'_> {
    type Error = StoreError;

    fn items(&mut self) -> Result<Vec<(String, Unit)>, StoreError> {
        Ok(self
            .db
            .rows("SELECT sku, unit FROM items", params![], |r| {
                Ok((r.get::<String>(0)?, r.get::<String>(1)?))
            })?
            .into_iter()
            .map(|(sku, unit)| (sku, Unit::parse(&unit).unwrap_or(Unit::Each)))
            .collect())
    }

    fn customer_by_email(&mut self, email: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT code FROM customers WHERE lower(email) = lower($1) ORDER BY code LIMIT 1",
                params![email],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn customer_by_name_and_address(
        &mut self,
        name: &str,
        address: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT code FROM customers WHERE lower(name) = lower($1) AND lower(address) = lower($2) ORDER BY code LIMIT 1",
                params![name, address],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn customer(&mut self, code: &str) -> Result<Option<(String, Contact)>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT code, name, email, phone, address FROM customers WHERE code = $1",
                params![code],
                |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])),
            )
            .optional()?)
    }

    fn order(&mut self, number: &str) -> Result<Option<KnownOrder>, StoreError> {
        #[allow(clippy::type_complexity)]
        let order: Option<(String, String, String, String, String, String)> = self
            .db
            .row(
                "SELECT customer_code, ordered_at, shop, status, note, shipping_method FROM orders WHERE order_number = $1",
                params![number],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((customer_code, ordered_at, shop, status, note, shipping)) = order else {
            return Ok(None);
        };
        let lines = self.db.rows(
            "SELECT sku, quantity FROM order_lines WHERE order_number = $1 ORDER BY line_no",
            params![number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Some(KnownOrder {
            customer_code,
            ordered_at,
            shop,
            status,
            lines,
            note,
            shipping,
        }))
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
        self.import_shop_orders_by(shop, files, content_sha256, orders, skus, at, None)
    }

    /// `import_shop_orders`, journaled as `operator`'s (a console account).
    #[allow(clippy::too_many_arguments)]
    pub fn import_shop_orders_by(
        &mut self,
        shop: Shop,
        files: &str,
        content_sha256: &str,
        orders: &[ShopOrder],
        skus: &SkuMap,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<ShopImportSummary, StoreError> {
        let tx = self.begin()?;
        let planned = match shop_plan::plan(shop, orders, skus, &mut Records { db: tx.db }) {
            Ok(planned) => planned,
            Err(ShopPlanError::Refused(why)) => return Err(StoreError::Refused(why)),
            Err(ShopPlanError::Known(e)) => return Err(e),
        };
        for write in &planned.writes {
            write_shop(tx.db, shop, write)?;
        }
        let mut summary = ShopImportSummary {
            shop: shop.name(),
            orders: {
                let mut numbers: Vec<&str> = orders.iter().map(|o| o.number.as_str()).collect();
                numbers.sort_unstable();
                numbers.dedup();
                numbers.len() - planned.without_ours.len()
            },
            orders_new: planned.orders_new,
            orders_updated: planned.orders_updated,
            customers_new: planned.customers_new,
            customers_updated: planned.customers_updated,
            not_to_ship: planned.not_to_ship.clone(),
            skipped: planned.skipped.clone(),
            without_ours: planned.without_ours.clone(),
            journaled: false,
        };
        if !planned.changes() {
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
        tx.commit_import(at, &body, operator)?;
        summary.journaled = true;
        Ok(summary)
    }
}

/// One write of a shop import's plan.
fn write_shop(db: &Db, shop: Shop, write: &ShopWrite) -> Result<(), StoreError> {
    match write {
        ShopWrite::NewCustomer { code, contact } => {
            db.execute(
                "INSERT INTO customers (code, name, email, phone, address) VALUES ($1, $2, $3, $4, $5)",
                params![code, contact[0], contact[1], contact[2], contact[3]],
            )?;
        }
        ShopWrite::Customer { code, contact } => {
            db.execute(
                "UPDATE customers SET name = $2, email = $3, phone = $4, address = $5 WHERE code = $1",
                params![code, contact[0], contact[1], contact[2], contact[3]],
            )?;
        }
        ShopWrite::Order {
            number,
            customer_code,
            ordered_at,
            status,
            lines,
            note,
            shipping,
        } => {
            db.execute(
                "INSERT INTO orders (order_number, customer_code, ordered_at, shop, status, note, shipping_method)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT(order_number) DO UPDATE SET customer_code = excluded.customer_code,
                   ordered_at = excluded.ordered_at, shop = excluded.shop, status = excluded.status,
                   note = excluded.note, shipping_method = excluded.shipping_method",
                params![number, customer_code, ordered_at, shop.name(), status, note, shipping],
            )?;
            crate::store::ledger::import::replace_order_lines(db, number, lines)?;
        }
    }
    Ok(())
}
