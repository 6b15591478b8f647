//! What is on the shelves (the stock list with its status and days of cover), a recall's
//! status changes, and a lot's or batch's heading for reports.

use std::collections::HashMap;

use crate::store::sql::{Optional, params};

use super::trace::*;
use crate::core::trace::StockRow;
use crate::core::workflow::{Record, Status};
use crate::store::{LIVE_SHIPMENT, Store, StoreError};

impl Store {
    /// On hand per lot and batch, with status and the item's days of cover.
    pub fn stock(
        &self,
        item: Option<&str>,
        today: jiff::civil::Date,
        include_empty: bool,
    ) -> Result<Vec<StockRow>, StoreError> {
        let units = self.units()?;
        let mut rows: Vec<StockSource> = Vec::new();
        {
            let stmt = "SELECT code, item_sku, quantity, expiry, supplier_code, supplier_lot FROM lots
                 WHERE (CAST($1 AS TEXT) IS NULL OR item_sku = $1)
                 AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = lots.code)
                 ORDER BY item_sku, code";
            let lots = self.db.rows(stmt, params![item], |r| {
                Ok((
                    r.get(0)?,
                    "lot",
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            for lot in lots {
                rows.push(lot);
            }
            let stmt = "SELECT b.code, b.product_sku, c.yield_quantity, c.expiry FROM batches b
                 JOIN batch_closures c ON c.batch_code = b.code
                 WHERE (CAST($1 AS TEXT) IS NULL OR b.product_sku = $1)
                 AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = b.code)
                 ORDER BY b.product_sku, b.code";
            let batches = self.db.rows(stmt, params![item], |r| {
                Ok((
                    r.get(0)?,
                    "batch",
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    None,
                    None,
                ))
            })?;
            for batch in batches {
                rows.push(batch);
            }
        }
        let mut used: HashMap<String, i64> = HashMap::new();
        for (sql, sign) in [
            (
                format!(
                    "SELECT c.input_code, SUM(c.quantity) FROM consumptions c WHERE {LIVE} GROUP BY c.input_code"
                ),
                1,
            ),
            (
                "SELECT code, SUM(quantity) FROM wastes GROUP BY code".to_string(),
                1,
            ),
            (
                format!(
                    "SELECT l.batch_code, SUM(l.quantity) FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code
                     WHERE {LIVE_SHIPMENT} GROUP BY l.batch_code"
                ),
                1,
            ),
        ] {
            let stmt = &sql;
            let found =
                self.db.rows(stmt, params![], |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)))?;
            for row in found {
                let (code, quantity) = row;
                *used.entry(code).or_default() += sign * quantity;
            }
        }
        // corrections after the fact: a count moves what is on hand, a corrected yield what
        // was made, the newest expiry set replaces the recorded one
        let mut yields: HashMap<String, i64> = HashMap::new();
        let mut expiries: HashMap<String, String> = HashMap::new();
        {
            let stmt = "SELECT code, field, delta, value FROM adjustments ORDER BY id";
            let found = self.db.rows(stmt, params![], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                ))
            })?;
            for row in found {
                let (code, field, delta, value) = row;
                match field.as_str() {
                    "quantity" => *used.entry(code).or_default() -= delta,
                    "yield" => *yields.entry(code).or_default() += delta,
                    _ => {
                        expiries.insert(code, value);
                    }
                }
            }
        }
        let mut statuses: HashMap<String, String> = HashMap::new();
        {
            let stmt = "SELECT code, status FROM status_changes ORDER BY id";
            let found = self.db.rows(stmt, params![], |r| {
                Ok((r.get::<String>(0)?, r.get::<String>(1)?))
            })?;
            for row in found {
                let (code, status) = row;
                statuses.insert(code, status);
            }
        }
        // what each item used over the last days of production, for its days of cover
        let since = today
            .checked_sub(jiff::Span::new().days(crate::core::trace::COVER_WINDOW_DAYS))
            .unwrap_or(today)
            .to_string();
        let mut used_lately: HashMap<String, i64> = HashMap::new();
        let mut first_used: HashMap<String, jiff::civil::Date> = HashMap::new();
        {
            let stmt = &format!(
                "SELECT COALESCE(l.item_sku, ib.product_sku),
                        SUM(CASE WHEN b.production_date >= $1 THEN c.quantity ELSE 0 END),
                        MIN(b.production_date)
                 FROM consumptions c JOIN batches b ON b.code = c.batch_code
                 LEFT JOIN lots l ON l.code = c.input_code LEFT JOIN batches ib ON ib.code = c.input_code
                 WHERE {LIVE} GROUP BY 1"
            );
            let found = self.db.rows(stmt, params![&since], |r| {
                Ok((
                    r.get::<Option<String>>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<String>(2)?,
                ))
            })?;
            for row in found {
                if let (Some(sku), quantity, first) = row {
                    if let Ok(first) = first.parse() {
                        first_used.insert(sku.clone(), first);
                    }
                    used_lately.insert(sku, quantity);
                }
            }
        }
        let facts = crate::core::trace::StockFacts {
            used,
            statuses,
            used_lately,
            first_used,
            units,
        };
        let rows = rows
            .into_iter()
            .map(
                |(code, kind, item_sku, initial, expiry, supplier_code, supplier_lot)| {
                    let initial = initial + yields.get(&code).copied().unwrap_or(0);
                    let expiry = expiries.get(&code).cloned().or(expiry);
                    crate::core::trace::StockSource {
                        code,
                        kind,
                        item_sku,
                        initial,
                        expiry,
                        supplier_code,
                        supplier_lot,
                    }
                },
            )
            .collect();
        let out = crate::core::trace::stock_list(rows, &facts, today, include_empty);
        Ok(out)
    }

    /// Records a recall: the lot becomes `recalled`, every downstream batch not already
    /// blocked goes on hold. One transaction; returns the journal head after it.
    pub fn record_recall(
        &mut self,
        target: &Target,
        downstream: &[String],
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin()?;
        let current =
            |tx: &crate::store::StoreTx<'_>, code: &str| -> Result<Option<String>, StoreError> {
                Ok(tx
                .db
                .row(
                    "SELECT status FROM status_changes WHERE code = $1 ORDER BY id DESC LIMIT 1",
                    params![code],
                    |r| r.get(0),
                )
                .optional()?)
            };
        for lot in target.stock_codes() {
            if current(&tx, &lot)?.as_deref() != Some("recalled") {
                let record = Record::StatusChange {
                    code: lot,
                    status: Status::Recalled,
                    reason: match target {
                        Target::SupplierLot { number, .. } => {
                            format!("recall of supplier lot {number}")
                        }
                        _ => "recall".into(),
                    },
                    at,
                };
                tx.append_record(&record, None, operator, at, None)?;
            }
        }
        for batch in downstream {
            if current(&tx, batch)?.is_none_or(|s| s == "available") {
                let record = Record::StatusChange {
                    code: batch.clone(),
                    status: Status::Hold,
                    reason: format!("downstream of recalled {} {}", target.kind(), target.code()),
                    at,
                };
                tx.append_record(&record, None, operator, at, None)?;
            }
        }
        tx.commit()?;
        Ok(self.head()?.map(|(_, hash)| hash).unwrap_or_default())
    }

    /// (code, item, supplier, supplier lot, received at) of a lot, or the product and
    /// production date of a batch, for a report's heading.
    pub fn lot_facts(
        &self,
        code: &str,
    ) -> Result<(String, String, String, String, String), StoreError> {
        let lot = self.db
            .row(
                "SELECT l.item_sku || ' ' || COALESCE(i.name, ''), l.supplier_code || ' ' || COALESCE(s.name, ''),
                        l.supplier_lot, l.received_at
                 FROM lots l LEFT JOIN items i ON i.sku = l.item_sku LEFT JOIN suppliers s ON s.code = l.supplier_code
                 WHERE l.code = $1",
                params![code],
                |r| Ok((code.to_string(), r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some(lot) = lot {
            return Ok(lot);
        }
        Ok(self.db.row(
            "SELECT b.product_sku || ' ' || COALESCE(i.name, ''), b.production_date FROM batches b
             LEFT JOIN items i ON i.sku = b.product_sku WHERE b.code = $1",
            params![code],
            |r| {
                Ok((
                    code.to_string(),
                    r.get(0)?,
                    "our own batch".to_string(),
                    "-".to_string(),
                    r.get(1)?,
                ))
            },
        )?)
    }
}
