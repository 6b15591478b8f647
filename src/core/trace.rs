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
    /// lot | batch | order | shipment | supplier lot
    pub kind: String,
    /// a supplier lot number: the supplier and every internal lot received under it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<String>,
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
    /// (or over the days since it was first used, when that is fewer)
    pub days_of_cover: Option<u32>,
}

/// The days of production an item's daily use is averaged over, for its days of cover.
pub const COVER_WINDOW_DAYS: i64 = 90;

/// A lot or batch as the records have it, for the stock list.
#[derive(Debug, Clone)]
pub struct StockSource {
    pub code: String,
    /// lot | batch
    pub kind: &'static str,
    pub item_sku: String,
    /// received, or made (a batch's yield)
    pub initial: i64,
    pub expiry: Option<String>,
    pub supplier_code: Option<String>,
    pub supplier_lot: Option<String>,
}

/// What the records say about every lot and batch at once, for the stock list.
#[derive(Debug, Clone, Default)]
pub struct StockFacts {
    /// code -> consumed, wasted and shipped, in base units
    pub used: std::collections::HashMap<String, i64>,
    /// code -> its latest status change
    pub statuses: std::collections::HashMap<String, String>,
    /// item -> what batches made in the last `COVER_WINDOW_DAYS` consumed of it
    pub used_lately: std::collections::HashMap<String, i64>,
    /// item -> the production date of the first batch that used it
    pub first_used: std::collections::HashMap<String, jiff::civil::Date>,
    pub units: std::collections::HashMap<String, Unit>,
}

/// The stock list: each lot's and batch's balance and status (a hold, quarantine or recall
/// wins; then depleted, expired, available), and each item's days of cover (what is
/// available of it over its average daily use). Used-up rows only with `include_empty`.
pub fn stock_list(
    sources: Vec<StockSource>,
    facts: &StockFacts,
    today: jiff::civil::Date,
    include_empty: bool,
) -> Vec<StockRow> {
    let mut on_hand_by_item: std::collections::HashMap<String, i64> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for source in sources {
        let balance = source.initial - facts.used.get(&source.code).copied().unwrap_or(0);
        let expired = source
            .expiry
            .as_deref()
            .and_then(|e| e.parse::<jiff::civil::Date>().ok())
            .is_some_and(|e| e < today);
        let status = match facts.statuses.get(&source.code).map(String::as_str) {
            Some(s @ ("hold" | "quarantine" | "recalled")) => s.to_string(),
            _ if balance <= 0 => "depleted".to_string(),
            _ if expired => "expired".to_string(),
            _ => "available".to_string(),
        };
        if status == "available" {
            *on_hand_by_item.entry(source.item_sku.clone()).or_default() += balance;
        }
        if balance <= 0 && !include_empty {
            continue;
        }
        let unit = facts
            .units
            .get(&source.item_sku)
            .copied()
            .unwrap_or(Unit::Each);
        out.push(StockRow {
            code: source.code,
            kind: source.kind.to_string(),
            item_sku: source.item_sku,
            status,
            quantity: Amount::new(balance, unit),
            unit,
            expiry: source.expiry,
            supplier_code: source.supplier_code,
            supplier_lot: source.supplier_lot,
            days_of_cover: None,
        });
    }
    for row in &mut out {
        // averaged over the days the item has been in use, up to the window: a shop two
        // weeks old is not averaged over ninety days
        let days_in_use = facts
            .first_used
            .get(&row.item_sku)
            .and_then(|first| (today - *first).get_days().checked_add(1))
            .map_or(COVER_WINDOW_DAYS, |d| {
                i64::from(d).clamp(1, COVER_WINDOW_DAYS)
            });
        let rate =
            facts.used_lately.get(&row.item_sku).copied().unwrap_or(0) as f64 / days_in_use as f64;
        if let Some(on_hand) = on_hand_by_item.get(&row.item_sku)
            && rate > 0.0
        {
            row.days_of_cover =
                Some((*on_hand as f64 / rate).floor().min(f64::from(u32::MAX)) as u32);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(code: &str, initial: i64, expiry: Option<&str>) -> StockSource {
        StockSource {
            code: code.into(),
            kind: "lot",
            item_sku: "OIL".into(),
            initial,
            expiry: expiry.map(str::to_string),
            supplier_code: None,
            supplier_lot: None,
        }
    }

    #[test]
    fn status_balance_and_days_of_cover() {
        let today: jiff::civil::Date = "2026-11-21".parse().unwrap();
        let mut facts = StockFacts::default();
        facts.used.insert("A".into(), 400);
        facts.used.insert("D".into(), 1000);
        facts.statuses.insert("H".into(), "hold".into());
        facts.statuses.insert("A".into(), "available".into());
        // 9,000 used in 90 days: 100 a day
        facts.used_lately.insert("OIL".into(), 9000);
        facts.units.insert("OIL".into(), Unit::G);
        let rows = stock_list(
            vec![
                source("A", 1000, None),
                source("D", 1000, None),
                source("E", 500, Some("2026-11-20")),
                source("H", 700, None),
            ],
            &facts,
            today,
            false,
        );
        let seen: Vec<(&str, &str, i64)> = rows
            .iter()
            .map(|r| (r.code.as_str(), r.status.as_str(), r.quantity.base))
            .collect();
        // used up rows are left out; a hold wins over everything; expired after its day
        assert_eq!(
            seen,
            [
                ("A", "available", 600),
                ("E", "expired", 500),
                ("H", "hold", 700)
            ]
        );
        // only what is available counts as cover: 600 g at 100 g a day
        assert!(rows.iter().all(|r| r.days_of_cover == Some(6)));
        let all = stock_list(vec![source("D", 1000, None)], &facts, today, true);
        assert_eq!(all[0].status, "depleted");

        // a shop in its tenth day: 9,000 used since the 12th is 900 a day, not 100
        facts
            .first_used
            .insert("OIL".into(), "2026-11-12".parse().unwrap());
        let rows = stock_list(vec![source("A", 1000, None)], &facts, today, false);
        assert_eq!(rows[0].days_of_cover, Some(0));
        facts.used_lately.insert("OIL".into(), 600);
        let rows = stock_list(vec![source("A", 1000, None)], &facts, today, false);
        assert_eq!(
            rows[0].days_of_cover,
            Some(10),
            "600 g on hand at 60 g a day"
        );
        // used first long ago: the window is 90 days again
        facts
            .first_used
            .insert("OIL".into(), "2025-01-01".parse().unwrap());
        let rows = stock_list(vec![source("A", 1000, None)], &facts, today, false);
        assert_eq!(rows[0].days_of_cover, Some(90), "600 g at 600/90 g a day");
    }
}
