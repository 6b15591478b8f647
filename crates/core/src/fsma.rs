//! The FDA Food Traceability Rule's records (FSMA 204, 21 CFR 1 Subpart S) as our records
//! already hold them: each receipt a receiving event, each closed batch a transformation,
//! each shipment line a shipping event, with the Key Data Elements the rule names for each
//! (§ 1.1345 receiving, § 1.1350 transformation, § 1.1340 shipping). Pure data: the store
//! reads the rows, `report::fsma` writes the sortable spreadsheet.

/// A Critical Tracking Event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cte {
    Receiving,
    Transformation,
    Shipping,
}

impl Cte {
    pub fn name(self) -> &'static str {
        match self {
            Cte::Receiving => "receiving",
            Cte::Transformation => "transformation",
            Cte::Shipping => "shipping",
        }
    }
}

/// One row of the sortable spreadsheet: one event, or for a transformation one of its
/// inputs (the new lot's fields repeated on each).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CteRow {
    pub event: Cte,
    /// when: received, transformation completed (the batch closed), shipped (UTC)
    pub date: String,
    /// the traceability lot code: a supplier's lot number as they assigned it (receiving),
    /// our batch code (transformation and shipping)
    pub tlc: String,
    /// the lot or batch code on our labels, and the shipment for a shipping event
    pub code: String,
    /// product description: the item's name and SKU
    pub product: String,
    pub quantity: String,
    pub unit: String,
    /// where the event happened (this station's location)
    pub location: String,
    /// receiving: the immediate previous source (the supplier)
    pub previous_source: String,
    /// shipping: the immediate subsequent recipient (the customer, with address)
    pub recipient: String,
    /// who assigned the traceability lot code and where
    pub tlc_source: String,
    pub reference_type: String,
    pub reference_number: String,
    /// transformation: one input lot's code, description and the quantity used
    pub input_tlc: String,
    pub input_code: String,
    pub input_product: String,
    pub input_quantity: String,
    pub input_unit: String,
    /// the item's SKU and GTIN (for identifiers in EPCIS), and the input's
    pub sku: String,
    pub gtin: Option<String>,
    pub input_sku: String,
    pub input_gtin: Option<String>,
    /// the supplier's code (receiving) or the customer's (shipping)
    pub party: String,
    /// shipping: the order number
    pub order: String,
    /// transformation: the batch's expiry (the newest a correction set), for EPCIS's
    /// instance master data; not one of the FSMA 204 columns
    pub expiry: Option<String>,
}

/// Sorts rows as the FDA reads them: by date, then event, then lot code; a
/// transformation's inputs stay in the order they were weighed in (a stable sort).
pub fn sort(rows: &mut [CteRow]) {
    rows.sort_by(|a, b| {
        (&a.date, a.event, &a.tlc, &a.code).cmp(&(&b.date, b.event, &b.tlc, &b.code))
    });
}
