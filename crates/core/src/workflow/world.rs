//! What the workflow may ask of the records: the `World` trait, implemented by the store
//! over the scan's transaction, and the plain views it answers with.

use crate::codes::{CodeContext, CodeFormat, Gtin, Unit};

/// A failure of the storage underneath (the scan is then neither accepted nor rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WorldError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Material,
    Product,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemView {
    pub sku: String,
    pub name: String,
    pub kind: ItemKind,
    pub unit: Unit,
    pub lot_prefix: Option<String>,
    pub gtin: Option<String>,
    pub shelf_life_days: Option<u32>,
    /// retired by the owner: kept for the records, no longer received or made
    #[serde(default)]
    pub retired: bool,
}

impl ItemView {
    /// The prefix of this item's lot codes: its own, else its SKU.
    pub fn prefix(&self) -> &str {
        self.lot_prefix.as_deref().unwrap_or(&self.sku)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockKind {
    Lot,
    Batch,
}

impl StockKind {
    pub fn noun(self) -> &'static str {
        match self {
            StockKind::Lot => "lot",
            StockKind::Batch => "batch",
        }
    }
}

/// The recorded status of a lot or batch (expired and depleted are derived, not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Available,
    Hold,
    Quarantine,
    Recalled,
    /// its receipt was undone
    Void,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Available => "available",
            Status::Hold => "hold",
            Status::Quarantine => "quarantine",
            Status::Recalled => "recalled",
            Status::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "available" => Status::Available,
            "hold" => Status::Hold,
            "quarantine" => Status::Quarantine,
            "recalled" => Status::Recalled,
            "void" => Status::Void,
            _ => return None,
        })
    }
}

/// A lot or batch as the records have it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockView {
    pub code: String,
    pub kind: StockKind,
    pub item: ItemView,
    pub status: Status,
    pub status_reason: Option<String>,
    /// what is left: received or made, minus consumed, wasted and shipped (base units)
    pub balance: i64,
    /// what was received or made (base units; 0 for a batch without a yield yet)
    pub initial: i64,
    pub expiry: Option<jiff::civil::Date>,
    /// batches: a yield has been recorded (lots are always closed)
    pub closed: bool,
    pub supplier_lot: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyView {
    pub code: String,
    pub name: String,
    /// retired by the owner: kept for the records, no longer received from or packed for
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderView {
    pub number: String,
    pub customer_code: String,
    /// each line: SKU, quantity ordered and shipped before on this order (base units)
    pub lines: Vec<OrderLineView>,
    /// the shipments already made on this order
    pub shipments: Vec<String>,
    /// the shop it came from, as a person names it (`Shopify`; "" for our own orders.csv)
    pub shop: String,
    /// what the shop says: open, cancelled or refunded
    pub status: String,
    /// what the buyer wrote with the order, and how it goes out ("" where the shop said
    /// nothing)
    pub note: String,
    pub shipping: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineView {
    pub sku: String,
    pub ordered: i64,
    pub shipped: i64,
}

/// A recorded shipment, by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentView {
    pub code: String,
    pub order_number: String,
    pub customer_code: String,
    pub shipped_at: jiff::Timestamp,
    /// voided since
    pub void: bool,
}

/// A lot a supplier's shipping notice announced.
#[derive(Debug, Clone)]
pub struct ExpectedReceipt {
    pub item: ItemView,
    /// how much, in base units of the item
    pub quantity: i64,
    /// the expiry the notice states, if it does
    pub expiry: Option<jiff::civil::Date>,
}

/// The records, as the workflow may see and extend them.
pub trait World {
    fn item(&mut self, sku: &str) -> Result<Option<ItemView>, WorldError>;
    fn item_by_gtin(&mut self, gtin: &Gtin) -> Result<Option<ItemView>, WorldError>;
    fn supplier(&mut self, code: &str) -> Result<Option<PartyView>, WorldError>;
    /// A lot this supplier said it shipped (an imported EPCIS shipping event) under this
    /// lot number.
    fn expected_receipt(
        &mut self,
        supplier: &str,
        supplier_lot: &str,
    ) -> Result<Option<ExpectedReceipt>, WorldError>;
    fn customer(&mut self, code: &str) -> Result<Option<PartyView>, WorldError>;
    fn order(&mut self, number: &str) -> Result<Option<OrderView>, WorldError>;
    /// A shipment by its code (`SHP-…`).
    fn shipment(&mut self, code: &str) -> Result<Option<ShipmentView>, WorldError>;
    /// A lot or batch by its internal code.
    fn stock(&mut self, code: &str) -> Result<Option<StockView>, WorldError>;
    /// The lot or batch of `sku` whose internal code is `lot`.
    fn stock_of_item(&mut self, sku: &str, lot: &str) -> Result<Option<StockView>, WorldError>;
    /// The smallest and largest quantity (base units) among the item's recent deliveries:
    /// its last 20 lots received, void ones left out; `None` before its first.
    fn recent_receipts(&mut self, sku: &str) -> Result<Option<(i64, i64)>, WorldError>;
    /// The lots received under a supplier's lot number (of `sku`, if given), oldest first.
    fn lots_by_supplier_lot(
        &mut self,
        sku: Option<&str>,
        number: &str,
    ) -> Result<Vec<StockView>, WorldError>;
    /// What uses a lot or batch and is not void: each batch that consumed it and each
    /// shipment of it, named (`batch MFG-0007`, `shipment SHP-00004`).
    fn uses_of(&mut self, code: &str) -> Result<Vec<String>, WorldError>;
    /// The line numbers of a batch's consumptions that are not undone.
    fn live_lines(&mut self, batch_code: &str) -> Result<Vec<u32>, WorldError>;
    /// The material SKUs of a product's bill of materials.
    fn bom(&mut self, product_sku: &str) -> Result<Vec<String>, WorldError>;
    /// The product's recipe: its bill of materials when it says how much product it is
    /// for (every line the same batch size), else none.
    fn recipe(&mut self, product_sku: &str) -> Result<Option<super::Recipe>, WorldError>;
    /// A fresh code in `format`, never issued before; it stays taken even if the scan's
    /// document is later cancelled.
    fn allocate_code(
        &mut self,
        format: &CodeFormat,
        ctx: CodeContext<'_>,
    ) -> Result<String, WorldError>;
}
