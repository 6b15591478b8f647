//! What the store hands the printing side: a print job waiting for its printer, and the
//! facts a label is made from, as plain data. The store reads them; `label::facts` puts
//! them into a label's words, so storage never needs the label module.

use crate::codes::Unit;
use crate::workflow::LabelKind;

/// A print job waiting for its printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: i64,
    pub bench: String,
    pub printer: String,
    pub label: LabelKind,
    pub code: String,
    pub copies: u32,
}

/// The facts of one label, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelFacts {
    Lot(LotFacts),
    Batch(BatchFacts),
    Shipment(ShipmentFacts),
    Pack(PackFacts),
}

/// One weighed pack of a shipment as its label needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFacts {
    /// `SHP-00012/2`: the shipment and the pack's line
    pub code: String,
    pub order_number: String,
    pub batch_code: String,
    pub product_sku: String,
    pub product_name: String,
    /// the pack's amount, in base units of `unit`
    pub quantity: i64,
    pub unit: Unit,
    pub expiry: Option<String>,
    pub gtin: String,
    /// a cosmetic's period after opening, in months
    pub pao_months: Option<i64>,
}

/// A lot as its label needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotFacts {
    pub code: String,
    pub item_sku: String,
    pub item_name: String,
    pub supplier_code: String,
    pub supplier_name: String,
    pub supplier_lot: String,
    pub invoice: String,
    /// RFC 3339
    pub received_at: String,
    pub expiry: Option<String>,
    /// in base units of `unit`
    pub quantity: i64,
    pub unit: Unit,
    /// empty when the item has none
    pub gtin: String,
    pub status: String,
}

/// A batch as its label needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFacts {
    pub code: String,
    pub product_sku: String,
    pub product_name: String,
    pub production_date: String,
    pub expiry: Option<String>,
    /// none while the batch is open
    pub yield_quantity: Option<i64>,
    pub unit: Unit,
    pub gtin: String,
    /// what one unit holds, as the item states it (`110 g`), if it does
    pub net_content: Option<String>,
    /// a cosmetic's period after opening, in months
    pub pao_months: Option<i64>,
    pub status: String,
}

/// A shipment as its label needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentFacts {
    pub code: String,
    pub order_number: String,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_address: String,
    /// RFC 3339
    pub shipped_at: String,
    pub units: i64,
    /// the batches in it, each once, in order
    pub batches: Vec<String>,
}
