//! The answers a recall needs (SPEC §6): forward and backward traces and the stock list, as
//! plain data with the JSON keys of the contract. The store computes them from records.

use crate::codes::{Quantity, Unit};

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

    /// What several shipment lines add up to, as a person reads it: a count for units
    /// (`3`), an amount with its unit for what is sold by weight or volume (`1.5 kg`),
    /// both where a customer got both (`3 + 1.5 kg`).
    pub fn total_text(amounts: &[Amount]) -> String {
        let mut totals: Vec<(Unit, i64)> = Vec::new();
        for a in amounts {
            match totals.iter_mut().find(|(unit, _)| *unit == a.unit) {
                Some((_, sum)) => *sum += a.base,
                None => totals.push((a.unit, a.base)),
            }
        }
        if totals.is_empty() {
            return "0".into();
        }
        totals
            .iter()
            .map(|(unit, sum)| match unit {
                Unit::Each => sum.to_string(),
                unit => Quantity::from_base(*sum).display_in(*unit),
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub fn number(&self) -> String {
        Quantity::from_base(self.base).number_in(self.unit)
    }

    /// An amount worked out in proportion (how much of a lot is inside what one order
    /// received), as a person reads it: three significant figures, in grams or millilitres
    /// below a kilogram or a litre and in kilograms or litres above (`33.3 g`, not
    /// `0.033333 kg`). The JSON and CSV keep the exact amount.
    pub fn estimate(&self) -> String {
        let unit = match (self.unit, self.base.abs() < 1_000_000) {
            (Unit::Kg | Unit::G, true) => Unit::G,
            (Unit::Kg | Unit::G, false) => Unit::Kg,
            (Unit::L | Unit::Ml, true) => Unit::Ml,
            (Unit::L | Unit::Ml, false) => Unit::L,
            (unit, _) => unit,
        };
        let micro = Quantity::from_base(self.base).micro_units_in(unit);
        let digits = micro.unsigned_abs().checked_ilog10().unwrap_or(0) + 1;
        let rounded = match digits.checked_sub(3) {
            Some(drop) if drop > 0 => {
                let step = 10i128.pow(drop);
                (micro + micro.signum() * step / 2) / step * step
            }
            _ => micro,
        };
        format!("{} {unit}", crate::codes::micro_text(rounded))
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.number(), self.unit)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // the number `number()` writes, without writing it: whole units as an integer,
        // else micro-units over a million as a float. Both are exact below 2^53, and IEEE
        // division rounds the quotient as parsing its decimal text would (a trace writes
        // thousands of these; the text and its parse cost two allocations each)
        let micro = Quantity::from_base(self.base).micro_units_in(self.unit);
        if micro % 1_000_000 == 0
            && let Ok(whole) = i64::try_from(micro / 1_000_000)
        {
            return s.serialize_i64(whole);
        }
        if micro.unsigned_abs() < 1 << 53 {
            return s.serialize_f64(micro as f64 / 1_000_000.0);
        }
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

/// A code or time shared by many rows of one answer: each distinct text is held once and
/// the rows point to it (a recall's thousands of shipment lines name a few batches, and each
/// customer, order and shipment several times). Written out as the plain text.
pub type Shared = std::sync::Arc<str>;

/// One shipment line of a forward trace. Its texts are shared within the trace: reading a
/// line allocates nothing for a code already seen ([`Interner`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForwardShipment {
    pub shipment_code: Shared,
    pub order_number: Shared,
    pub customer_code: Shared,
    pub batch_code: Shared,
    pub quantity: Amount,
    pub shipped_at: Shared,
}

/// Gives each distinct text one [`Shared`] copy, looked up by the borrowed text (so a
/// repeated code costs a hash and a compare, not an allocation).
#[derive(Debug, Default)]
pub struct Interner {
    texts: rustc_hash::FxHashSet<Shared>,
}

impl Interner {
    pub fn get(&mut self, text: &str) -> Shared {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        let shared: Shared = text.into();
        self.texts.insert(shared.clone());
        shared
    }
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

impl ForwardTrace {
    /// What a recall of it reaches, in words: `2 batches, 1 shipment line, 1 customer,
    /// 3 stock items to quarantine` (the recall's text, its PDF and the trace page).
    pub fn reach(&self) -> String {
        use crate::{counted, counted_as};
        format!(
            "{}, {}, {}, {} to quarantine",
            counted_as(self.batches.len(), "batch", "batches"),
            counted(self.shipments.len(), "shipment line"),
            counted(self.customers.len(), "customer"),
            counted(self.on_hand.len(), "stock item"),
        )
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BackwardBatch {
    pub code: String,
    pub product_sku: String,
    pub depth: u32,
    /// what went into it: each lot and batch consumed, with the whole amount
    pub inputs: Vec<BackwardInput>,
    /// its recorded yield, once closed
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yield_quantity: Option<Amount>,
    /// for an order or shipment: how much of this batch reached it (shipped, or inside
    /// what was shipped, in proportion to yields), and that as a share of the yield
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

impl BackwardBatch {
    pub fn new(code: String, product_sku: String, depth: u32) -> BackwardBatch {
        BackwardBatch {
            code,
            product_sku,
            depth,
            inputs: Vec::new(),
            yield_quantity: None,
            reached: None,
            share: None,
        }
    }

    /// How much of it reached the order or shipment, in words: `5 g (0.5% of the batch)`.
    pub fn reached_text(&self) -> Option<String> {
        let (amount, share) = (self.reached?, self.share?);
        Some(format!(
            "{} ({}% of the batch)",
            amount.estimate(),
            (share * 1000.0).round() / 10.0
        ))
    }
}

/// A lot or batch consumed by a batch, and how much (the whole batch's use).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackwardInput {
    pub code: String,
    /// lot | batch
    pub kind: String,
    pub quantity: Amount,
    pub unit: Unit,
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
    /// for an order or shipment: how much of the lot is inside what it received (its
    /// batches' consumption in proportion to the share of each batch that reached it)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached: Option<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Supplier {
    pub code: String,
    pub name: String,
    pub contact: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BackwardTrace {
    pub root: Root,
    pub batches: Vec<BackwardBatch>,
    pub lots: Vec<BackwardLot>,
    pub suppliers: Vec<Supplier>,
}

impl BackwardTrace {
    /// Where it came from, in words: `2 batches, 5 lots, 1 supplier`.
    pub fn reach(&self) -> String {
        use crate::{counted, counted_as};
        format!(
            "{}, {}, {}",
            counted_as(self.batches.len(), "batch", "batches"),
            counted(self.lots.len(), "lot"),
            counted(self.suppliers.len(), "supplier"),
        )
    }
}

/// What `shares_reached` found: batch -> (amount that reached the order, share of its
/// yield), and lot -> amount.
pub type Reached = (
    std::collections::HashMap<String, (f64, Option<f64>)>,
    std::collections::HashMap<String, f64>,
);

/// The share of each batch, and the amount of each lot, that reached an order: `shipped`
/// is what of each batch the order received directly; each batch passes its share on to
/// what it consumed (`edges`: consuming batch, input, input is a batch, quantity), in
/// proportion to its yield. Batches without a yield pass nothing on.
pub fn shares_reached(
    shipped: &std::collections::HashMap<String, i64>,
    edges: &[(String, String, bool, i64)],
    yields: &std::collections::HashMap<String, i64>,
) -> Reached {
    use std::collections::HashMap;
    // batches in an order where every consumer comes before what it consumed (Kahn)
    let mut parents: HashMap<&str, usize> = HashMap::new();
    let mut batches: Vec<&str> = shipped.keys().map(String::as_str).collect();
    for (parent, input, is_batch, _) in edges {
        batches.push(parent);
        if *is_batch {
            batches.push(input);
            *parents.entry(input.as_str()).or_default() += 1;
        }
    }
    batches.sort_unstable();
    batches.dedup();
    let mut ready: Vec<&str> = batches
        .iter()
        .copied()
        .filter(|b| !parents.contains_key(b))
        .collect();
    let mut reached: HashMap<String, (f64, Option<f64>)> = HashMap::new();
    let mut amount: HashMap<&str, f64> = shipped
        .iter()
        .map(|(b, q)| (b.as_str(), *q as f64))
        .collect();
    let mut lots: HashMap<String, f64> = HashMap::new();
    while let Some(batch) = ready.pop() {
        let got = amount.get(batch).copied().unwrap_or(0.0);
        let share = yields
            .get(batch)
            .filter(|y| **y > 0)
            .map(|y| got / *y as f64);
        reached.insert(batch.to_string(), (got, share));
        for (parent, input, is_batch, quantity) in edges {
            if parent != batch {
                continue;
            }
            let passed = share.unwrap_or(0.0) * *quantity as f64;
            if *is_batch {
                *amount.entry(input.as_str()).or_default() += passed;
                if let Some(left) = parents.get_mut(input.as_str()) {
                    *left -= 1;
                    if *left == 0 {
                        ready.push(input);
                    }
                }
            } else {
                *lots.entry(input.clone()).or_default() += passed;
            }
        }
    }
    (reached, lots)
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
    /// customers' complaints about the traced lot or anything made from it
    pub complaints: Vec<crate::complaint::ComplaintEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_read_as_a_person_writes_them() {
        let said = |base, unit| Amount::new(base, unit).estimate();
        assert_eq!(said(33_333, Unit::Kg), "33.3 g");
        assert_eq!(said(14_167, Unit::G), "14.2 g");
        assert_eq!(said(50_000, Unit::Kg), "50 g");
        assert_eq!(said(2_500_000, Unit::Kg), "2.5 kg");
        assert_eq!(said(1_234_567, Unit::L), "1.23 l");
        assert_eq!(said(999, Unit::Ml), "0.999 ml");
        assert_eq!(said(1, Unit::Each), "1 each");
        assert_eq!(said(12_345_000, Unit::G), "12.3 kg");
    }

    /// The JSON number of an amount is the one its text gives, for every unit, sign and
    /// size (the serialiser no longer goes through the text).
    #[test]
    fn amounts_serialise_as_their_text_parses() {
        let through_text = |a: &Amount| -> String {
            let text = a.number();
            match text.parse::<i64>() {
                Ok(whole) => serde_json::to_string(&whole).unwrap(),
                Err(_) => serde_json::to_string(&text.parse::<f64>().unwrap_or(0.0)).unwrap(),
            }
        };
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut bases: Vec<i64> = vec![
            0,
            1,
            -1,
            999,
            1_000,
            1_001,
            125_000,
            453_592_370,
            i64::MAX,
            i64::MIN + 1,
        ];
        for _ in 0..20_000 {
            let r = next();
            let magnitude = 10i64.pow((r % 16) as u32);
            bases.push((next() as i64) % magnitude);
        }
        for base in bases {
            for unit in Unit::ALL {
                let amount = Amount::new(base, unit);
                assert_eq!(
                    serde_json::to_string(&amount).unwrap(),
                    through_text(&amount),
                    "{base} in {unit}"
                );
            }
        }
    }

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
    fn shares_pass_down_through_sub_assemblies() {
        use std::collections::HashMap;
        // two bars of a 100-bar soap batch; the soap took 3 kg of oil and 1 kg of a blend
        // batch (yield 1 kg) that took 50 g of lavender
        let shipped = HashMap::from([("SOAP".to_string(), 2)]);
        let edges = vec![
            ("SOAP".to_string(), "OIL-LOT".to_string(), false, 3000),
            ("SOAP".to_string(), "BLEND".to_string(), true, 1000),
            ("BLEND".to_string(), "LAV-LOT".to_string(), false, 50),
        ];
        let yields = HashMap::from([("SOAP".to_string(), 100), ("BLEND".to_string(), 1000)]);
        let (batches, lots) = shares_reached(&shipped, &edges, &yields);
        assert_eq!(batches["SOAP"], (2.0, Some(0.02)));
        assert_eq!(batches["BLEND"], (20.0, Some(0.02)));
        assert_eq!(lots["OIL-LOT"], 60.0);
        assert_eq!(lots["LAV-LOT"], 1.0);
        // a batch without a yield passes nothing on
        let (batches, lots) = shares_reached(&shipped, &edges, &HashMap::new());
        assert_eq!(batches["SOAP"], (2.0, None));
        assert_eq!(lots["OIL-LOT"], 0.0);
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
