//! The answers a recall needs (SPEC §6): forward and backward traces and the stock list, as
//! plain data with the JSON keys of the contract. The store computes them from records.

use crate::core::codes::{Quantity, Unit};

/// An exact quantity shown in a unit: serialises as a JSON number (`1.25`), never rounded
/// beyond six decimals of the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub base: i64,
    pub unit: Unit,
}

impl Amount {
    pub fn new(base: i64, unit: Unit) -> Amount {
        Amount { base, unit }
    }

    pub fn number(&self) -> String {
        Quantity::from_base(self.base).number_in(self.unit)
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.number(), self.unit)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.number();
        match text.parse::<i64>() {
            Ok(whole) => s.serialize_i64(whole),
            Err(_) => s.serialize_f64(text.parse::<f64>().unwrap_or(0.0)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Root {
    pub code: String,
    /// lot | batch | order | shipment
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForwardBatch {
    pub code: String,
    pub product_sku: String,
    /// 1 for batches that consumed the root directly, 2 for their consumers, …
    pub depth: u32,
    /// how much of the traced inputs (root or upstream traced batches) this batch consumed
    pub quantity_consumed: Amount,
    pub unit: Unit,
    /// codes from the root to this batch
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForwardShipment {
    pub shipment_code: String,
    pub order_number: String,
    pub customer_code: String,
    pub batch_code: String,
    pub quantity: Amount,
    pub shipped_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Customer {
    pub code: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OnHand {
    pub code: String,
    pub quantity: Amount,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForwardTrace {
    pub root: Root,
    pub batches: Vec<ForwardBatch>,
    pub shipments: Vec<ForwardShipment>,
    pub customers: Vec<Customer>,
    pub on_hand: Vec<OnHand>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackwardBatch {
    pub code: String,
    pub product_sku: String,
    pub depth: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackwardLot {
    pub code: String,
    pub item_sku: String,
    pub supplier_code: String,
    pub supplier_lot: String,
    pub invoice: String,
    pub received_at: String,
    pub quantity_consumed: Amount,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Supplier {
    pub code: String,
    pub name: String,
    pub contact: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackwardTrace {
    pub root: Root,
    pub batches: Vec<BackwardBatch>,
    pub lots: Vec<BackwardLot>,
    pub suppliers: Vec<Supplier>,
}

/// One row of `lotstation stock`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StockRow {
    pub code: String,
    /// lot | batch
    pub kind: String,
    pub item_sku: String,
    /// available | hold | quarantine | recalled | expired | depleted
    pub status: String,
    pub quantity: Amount,
    pub unit: Unit,
    pub expiry: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_lot: Option<String>,
    /// the item's stock on hand divided by its average daily use over the last 90 days
    pub days_of_cover: Option<u32>,
}

/// A recall package's JSON: the forward trace and its stamp.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecallPackage {
    #[serde(flatten)]
    pub trace: ForwardTrace,
    pub generated_at: String,
    pub journal_head: String,
    pub mock: bool,
}
