//! The backward trace: from a batch, shipment or order back to every batch and supplier lot
//! inside it, with how much of each.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::store::sql::params;
use rustc_hash::FxHashMap;

use super::trace::*;
use crate::core::codes::Unit;
use crate::core::trace::{
    Amount, BackwardBatch, BackwardInput, BackwardLot, BackwardTrace, Supplier,
};
use crate::store::{LIVE_SHIPMENT, Store, StoreError};

impl Store {
    /// What is left of each lot or batch: received or made, minus live consumptions,
    /// waste and shipments. Void lots and batches are left out.
    pub(crate) fn balances(
        &self,
        codes: &[String],
        shipped: &FxHashMap<&str, i64>,
    ) -> Result<HashMap<String, i64>, StoreError> {
        // one statement (one round trip on PostgreSQL): what came in, less what was used
        // and written off; what was shipped the caller has read already (a second walk
        // of the same shipment lines, in another index, was a tenth of a trace)
        let stmt = &format!(
            "SELECT code, quantity FROM lots WHERE code IN (SELECT value FROM json_each($1))
               AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = lots.code)
             UNION ALL
             SELECT batch_code, yield_quantity FROM batch_closures WHERE batch_code IN (SELECT value FROM json_each($1))
               AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = batch_closures.batch_code)
             UNION ALL
             SELECT code, SUM(delta) FROM adjustments WHERE code IN (SELECT value FROM json_each($1))
               AND field IN ('quantity', 'yield') GROUP BY code
             UNION ALL
             SELECT c.input_code, -SUM(c.quantity) FROM consumptions c
              WHERE c.input_code IN (SELECT value FROM json_each($1)) AND {LIVE} GROUP BY c.input_code
             UNION ALL
             SELECT code, -SUM(quantity) FROM wastes WHERE code IN (SELECT value FROM json_each($1)) GROUP BY code"
        );
        let rows = self.db.rows(stmt, params![json_list(codes)], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })?;
        let mut balances: HashMap<String, i64> = HashMap::new();
        for row in rows {
            let (code, quantity) = row;
            *balances.entry(code).or_default() += quantity;
        }
        for (code, quantity) in shipped {
            if let Some(balance) = balances.get_mut(*code) {
                *balance -= quantity;
            }
        }
        Ok(balances)
    }

    /// Everything upstream of an order, shipment, batch or lot.
    pub fn trace_backward(&self, target: &Target) -> Result<BackwardTrace, StoreError> {
        let units = self.units()?;
        let mut batches: Vec<BackwardBatch> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut lot_use: BTreeMap<String, i64> = BTreeMap::new();
        // an order's or shipment's batches: what of each it received
        let mut shipped: HashMap<String, i64> = HashMap::new();
        let start_depth = match target {
            Target::Lot(_) | Target::SupplierLot { .. } => {
                for code in target.stock_codes() {
                    let quantity: i64 = self.db.row(
                        "SELECT quantity FROM lots WHERE code = $1",
                        params![code],
                        |r| r.get(0),
                    )?;
                    lot_use.insert(code, quantity);
                }
                0
            }
            Target::Batch(code) => {
                let sku: String = self.db.row(
                    "SELECT product_sku FROM batches WHERE code = $1",
                    params![code],
                    |r| r.get(0),
                )?;
                batches.push(BackwardBatch::new(code.clone(), sku, 0));
                seen.insert(code.clone());
                0
            }
            Target::Shipment(_) | Target::Order(_) => {
                let column = if matches!(target, Target::Shipment(_)) {
                    "s.code"
                } else {
                    "s.order_number"
                };
                let stmt = &format!(
                    "SELECT l.batch_code, b.product_sku, SUM(l.quantity) FROM shipments s
                     JOIN shipment_lines l ON l.shipment_code = s.code JOIN batches b ON b.code = l.batch_code
                     WHERE {column} = $1 AND {LIVE_SHIPMENT} GROUP BY l.batch_code, b.product_sku ORDER BY l.batch_code"
                );
                let rows = self.db.rows(stmt, params![target.code()], |r| {
                    Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?))
                })?;
                for row in rows {
                    let (code, sku, quantity) = row;
                    *shipped.entry(code.clone()).or_default() += quantity;
                    if seen.insert(code.clone()) {
                        batches.push(BackwardBatch::new(code, sku, 1));
                    }
                }
                1
            }
        };
        let mut frontier: Vec<String> = batches.iter().map(|b| b.code.clone()).collect();
        let mut depth = start_depth;
        let stmt = &format!(
            "SELECT c.input_code, c.input_kind, c.quantity, COALESCE(b.product_sku, ''), c.batch_code,
                    COALESCE(l.item_sku, b.product_sku, '')
             FROM consumptions c LEFT JOIN batches b ON b.code = c.input_code
             LEFT JOIN lots l ON l.code = c.input_code
             WHERE c.batch_code IN (SELECT value FROM json_each($1)) AND {LIVE} ORDER BY c.id"
        );
        // (consuming batch, input, input is a batch, quantity), for the shares
        let mut edges: Vec<(String, String, bool, i64)> = Vec::new();
        let mut inputs: HashMap<String, Vec<BackwardInput>> = HashMap::new();
        while !frontier.is_empty() && depth < MAX_DEPTH {
            depth += 1;
            let rows = self.db.rows(stmt, params![json_list(&frontier)], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                    r.get::<String>(4)?,
                    r.get::<String>(5)?,
                ))
            })?;
            let mut next = Vec::new();
            for (input, kind, quantity, product, consumer, input_sku) in rows {
                let unit = units.get(&input_sku).copied().unwrap_or(Unit::Each);
                let consumed = inputs.entry(consumer.clone()).or_default();
                match consumed.iter_mut().find(|i| i.code == input) {
                    Some(line) => line.quantity.base += quantity,
                    None => consumed.push(BackwardInput {
                        code: input.clone(),
                        kind: kind.clone(),
                        quantity: Amount::new(quantity, unit),
                        unit,
                    }),
                }
                edges.push((consumer, input.clone(), kind != "lot", quantity));
                if kind == "lot" {
                    *lot_use.entry(input).or_default() += quantity;
                } else if seen.insert(input.clone()) {
                    batches.push(BackwardBatch::new(input.clone(), product, depth));
                    next.push(input);
                }
            }
            frontier = next;
        }
        // each batch's yield, and for an order or shipment what of each batch and lot
        // reached it
        let codes: Vec<String> = batches.iter().map(|b| b.code.clone()).collect();
        let mut yields: HashMap<String, i64> = HashMap::new();
        let stmt = "SELECT batch_code, yield_quantity FROM batch_closures
             WHERE batch_code IN (SELECT value FROM json_each($1))
             UNION ALL
             SELECT code, SUM(delta) FROM adjustments
             WHERE code IN (SELECT value FROM json_each($1)) AND field = 'yield' GROUP BY code";
        for row in self.db.rows(stmt, params![json_list(&codes)], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })? {
            // the recorded yield, and any corrections of it
            let (code, quantity) = row;
            *yields.entry(code).or_default() += quantity;
        }
        let (batch_reach, lot_reach) = if shipped.is_empty() {
            Default::default()
        } else {
            crate::core::trace::shares_reached(&shipped, &edges, &yields)
        };
        for batch in &mut batches {
            let unit = units.get(&batch.product_sku).copied().unwrap_or(Unit::Each);
            batch.inputs = inputs.remove(&batch.code).unwrap_or_default();
            batch.yield_quantity = yields.get(&batch.code).map(|y| Amount::new(*y, unit));
            if let Some((got, share)) = batch_reach.get(&batch.code) {
                batch.reached = Some(Amount::new(got.round() as i64, unit));
                batch.share = share.map(|s| (s * 10_000.0).round() / 10_000.0);
            }
        }
        let stmt =
            "SELECT code, item_sku, supplier_code, supplier_lot, invoice, received_at FROM lots
             WHERE code IN (SELECT value FROM json_each($1)) ORDER BY code";
        let lots = self
            .db
            .rows(stmt, params![json_list(lot_use.keys())], |r| {
                let code: String = r.get(0)?;
                let sku: String = r.get(1)?;
                let unit = units.get(&sku).copied().unwrap_or(Unit::Each);
                Ok(BackwardLot {
                    reached: lot_reach
                        .get(&code)
                        .map(|q| Amount::new(q.round() as i64, unit)),
                    quantity_consumed: Amount::new(lot_use.get(&code).copied().unwrap_or(0), unit),
                    code,
                    item_sku: sku,
                    supplier_code: r.get(2)?,
                    supplier_lot: r.get(3)?,
                    invoice: r.get(4)?,
                    received_at: r.get(5)?,
                    unit,
                })
            })?;
        let supplier_codes: BTreeSet<&String> = lots.iter().map(|l| &l.supplier_code).collect();
        let stmt = "SELECT code, name, contact, email, phone FROM suppliers WHERE code IN (SELECT value FROM json_each($1)) ORDER BY code";
        let suppliers = self
            .db
            .rows(stmt, params![json_list(supplier_codes)], |r| {
                Ok(Supplier {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    contact: r.get(2)?,
                    email: r.get(3)?,
                    phone: r.get(4)?,
                })
            })?;
        batches.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.code.cmp(&b.code)));
        Ok(BackwardTrace {
            root: target.root(),
            batches,
            lots,
            suppliers,
        })
    }
}
