//! What a code names (`Target`, `resolve`) and what every trace shares; the traces themselves
//! are `forward.rs` and `backward.rs`, the stock list `stock.rs`. Every answer is computed
//! from the records on every call.

use std::collections::HashMap;

use crate::store::sql::{Optional, params};

use crate::core::codes::Unit;
use crate::core::trace::Root;
use crate::store::{Store, StoreError};

/// What a code given on the command line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Lot(String),
    Batch(String),
    Shipment(String),
    Order(String),
    /// a supplier's lot number received as several internal lots (two deliveries of the
    /// same supplier lot): traces, recalls and holds cover them all
    SupplierLot {
        number: String,
        supplier: String,
        lots: Vec<String>,
    },
}

impl Target {
    pub fn code(&self) -> &str {
        match self {
            Target::Lot(c) | Target::Batch(c) | Target::Shipment(c) | Target::Order(c) => c,
            Target::SupplierLot { number, .. } => number,
        }
    }

    /// Whether it is stock (a lot, a batch, a supplier's lot): what a forward trace,
    /// a recall and a hold start from.
    pub fn is_stock(&self) -> bool {
        matches!(
            self,
            Target::Lot(_) | Target::Batch(_) | Target::SupplierLot { .. }
        )
    }

    /// The lot and batch codes it stands for.
    pub fn stock_codes(&self) -> Vec<String> {
        match self {
            Target::Lot(c) | Target::Batch(c) => vec![c.clone()],
            Target::SupplierLot { lots, .. } => lots.clone(),
            Target::Shipment(_) | Target::Order(_) => Vec::new(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Lot(_) => "lot",
            Target::Batch(_) => "batch",
            Target::Shipment(_) => "shipment",
            Target::Order(_) => "order",
            Target::SupplierLot { .. } => "supplier lot",
        }
    }

    pub(super) fn root(&self) -> Root {
        let (supplier, lots) = match self {
            Target::SupplierLot { supplier, lots, .. } => (Some(supplier.clone()), lots.clone()),
            _ => (None, Vec::new()),
        };
        Root {
            code: self.code().to_string(),
            kind: self.kind().to_string(),
            supplier,
            lots,
        }
    }
}

/// A lot or batch as read for the stock list: code, kind, sku, initial quantity, expiry,
/// supplier, supplier lot.
pub(super) type StockSource = (
    String,
    &'static str,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Fewest customers in an answer for which reading the whole customer table can pay.
pub(super) const SCAN_CUSTOMERS_FROM: usize = 256;

/// Deepest sub-assembly chain a trace follows (a guard against cycles in imported data).
pub(super) const MAX_DEPTH: u32 = 64;

/// The condition for a live consumption `c`: no correction has reversed it.
pub(super) const LIVE: &str = "NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption' \
     AND k.target_code = c.batch_code AND k.target_line = c.line_no)";

pub(super) fn json_list<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> String {
    let codes: Vec<S> = codes.into_iter().collect();
    let codes: Vec<&str> = codes.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

impl Store {
    pub(super) fn units(&self) -> Result<HashMap<String, Unit>, StoreError> {
        let stmt = "SELECT sku, unit FROM items";
        let rows = self.db.rows(stmt, params![], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?;
        let mut units = HashMap::new();
        for row in rows {
            let (sku, unit) = row;
            units.insert(sku, Unit::parse(&unit).unwrap_or(Unit::Each));
        }
        Ok(units)
    }

    /// Finds what `code` names: a lot, batch, shipment or order code, else a supplier's lot
    /// number (narrowed by `supplier`). Several lots with that supplier lot number are an
    /// error that lists them.
    pub fn resolve(&self, code: &str, supplier: Option<&str>) -> Result<Target, StoreError> {
        let exists = |sql: &str| -> Result<bool, StoreError> {
            Ok(self
                .db
                .row(sql, params![code], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if supplier.is_none() {
            if exists("SELECT 1 FROM lots WHERE code = $1")? {
                return Ok(Target::Lot(code.to_string()));
            }
            if exists("SELECT 1 FROM batches WHERE code = $1")? {
                return Ok(Target::Batch(code.to_string()));
            }
            if exists("SELECT 1 FROM shipments WHERE code = $1")? {
                return Ok(Target::Shipment(code.to_string()));
            }
            if exists("SELECT 1 FROM shipments WHERE order_number = $1 LIMIT 1")?
                || exists("SELECT 1 FROM orders WHERE order_number = $1")?
            {
                return Ok(Target::Order(code.to_string()));
            }
        }
        let stmt = "SELECT code, supplier_code, received_at FROM lots WHERE supplier_lot = $1
             AND (CAST($2 AS TEXT) IS NULL OR lower(supplier_code) = lower(CAST($2 AS TEXT))) ORDER BY received_at";
        let candidates = self.db.rows(stmt, params![code, supplier], |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
            ))
        })?;
        match candidates.as_slice() {
            [] => Err(StoreError::NotFound(match supplier {
                Some(s) => format!("no lot of supplier {s} has the lot number {code}"),
                None => format!("no lot, batch, shipment, order or supplier lot number {code}"),
            })),
            [(lot, _, _)] => Ok(Target::Lot(lot.clone())),
            [(_, first, _), rest @ ..]
                if rest.iter().all(|(_, s, _)| s.eq_ignore_ascii_case(first)) =>
            {
                Ok(Target::SupplierLot {
                    number: code.to_string(),
                    supplier: first.clone(),
                    lots: candidates.iter().map(|(lot, _, _)| lot.clone()).collect(),
                })
            }
            many => Err(StoreError::Ambiguous(format!(
                "supplier lot number {code} names lots of several suppliers: {}. Add --supplier",
                many.iter()
                    .map(|(lot, supplier, at)| format!(
                        "{lot} (supplier {supplier}, received {at})"
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
