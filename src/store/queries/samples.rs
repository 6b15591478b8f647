//! What the benchmark asks of a generated history: its worst cases to trace (the most-used
//! lot, the blends that reach most customers), a receipt to scan, sample orders.

use crate::store::sql::{Optional, params};

use crate::store::{Store, StoreError};

impl Store {
    /// The lot consumed by the most batches (the worst case of a forward trace).
    pub fn most_used_lot(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT input_code FROM consumptions WHERE input_kind = 'lot'
                 GROUP BY input_code ORDER BY COUNT(*) DESC, input_code LIMIT 1",
                params![],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Lots that reach customers through a blend (a batch used in other batches), those
    /// in the most such batches first, at most `limit`. For the benchmark.
    pub fn blend_lots(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        Ok(self.db.rows(
            "SELECT c.input_code FROM consumptions c
             JOIN consumptions used ON used.input_code = c.batch_code AND used.input_kind = 'batch'
             WHERE c.input_kind = 'lot'
             GROUP BY c.input_code ORDER BY COUNT(*) DESC, c.input_code LIMIT $1",
            params![limit as i64],
            |r| r.get(0),
        )?)
    }

    /// How many customers the master data has.
    pub fn customer_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .db
            .row("SELECT COUNT(*) FROM customers", params![], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// A supplier, a material and a quantity it usually comes in, to receive in the benchmark.
    pub fn bench_receipt_codes(&self) -> Result<(String, String, String), StoreError> {
        let supplier: String = self.db.row(
            "SELECT code FROM suppliers ORDER BY code LIMIT 1",
            params![],
            |r| r.get(0),
        )?;
        let (item, unit): (String, String) = self.db.row(
            "SELECT sku, unit FROM items WHERE kind = 'material' ORDER BY sku LIMIT 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // what the item usually comes in (its latest delivery), so that the scans time a
        // receipt and not a question about a mis-keyed quantity
        let last: Option<i64> = self.db.row(
            "SELECT MAX(quantity) FROM lots WHERE item_sku = $1",
            params![item],
            |r| r.get(0),
        )?;
        let unit = crate::core::codes::Unit::parse_item_unit(&unit)
            .unwrap_or(crate::core::codes::Unit::Each);
        let quantity = match (last, unit) {
            (Some(base), unit) if base > 0 => {
                crate::core::codes::Quantity::from_base(base).display_in(unit)
            }
            (_, crate::core::codes::Unit::Each) => "1".to_string(),
            (_, crate::core::codes::Unit::Ml | crate::core::codes::Unit::L) => "250ml".to_string(),
            _ => "250g".to_string(),
        };
        Ok((supplier, item, quantity))
    }

    /// About `n` order numbers spread over the history, chosen by `seed`.
    pub fn sample_orders(&self, n: usize, seed: u64) -> Result<Vec<String>, StoreError> {
        let total: i64 = self
            .db
            .row("SELECT COUNT(*) FROM shipments", params![], |r| r.get(0))?;
        let step = (total / n.max(1) as i64).max(1);
        // the shipments in the order they were recorded (their journal entries)
        let stmt = "SELECT order_number FROM shipments WHERE journal_seq % $1 = $2 ORDER BY journal_seq LIMIT $3";
        let orders = self.db.rows(
            stmt,
            params![step, (seed as i64).rem_euclid(step), n as i64],
            |r| r.get(0),
        )?;
        Ok(orders)
    }
}
