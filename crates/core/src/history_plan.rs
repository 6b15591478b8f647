//! A history import's rules, as a planner: the parsed files (`masterdata::History`) and
//! what the records hold (the `HistoryRecords` trait, which the store answers) in; the
//! codes to issue and the records to journal, in order, each with the file and line it
//! came from, or the first row that breaks a rule, located. No database: the rules are
//! tested here in memory. What cannot have happened at all (a lot used beyond what it held,
//! before it existed, a loop of batches) is `history_check`'s, checked once the records are
//! in the transaction.
//!
//! The rules: a receipt is of a known item from a known supplier under a code nobody has;
//! a batch makes a product under a code nobody has; a consumption puts a known lot or batch
//! (not the batch itself) into a known batch, numbered after the batch's last line; the
//! rows of one order, customer and time are one shipment to a known customer, of known
//! batches, under a fresh shipment code; waste and holds name a known lot or batch. Every
//! quantity converts exactly into the item's unit.

use std::collections::{HashMap, HashSet};

use crate::codes::{Quantity, Unit};
use crate::history_check::located;
use crate::import_plan::PlanError;
use crate::masterdata::History;
use crate::workflow::{ItemKind, Record, ShippedLine, StockKind};

/// What the records already hold, as the rules ask it.
pub trait HistoryRecords {
    type Error;
    /// Every item: its SKU, kind and unit.
    fn items(&mut self) -> Result<Vec<(String, ItemKind, Unit)>, Self::Error>;
    fn suppliers(&mut self) -> Result<Vec<String>, Self::Error>;
    fn customers(&mut self) -> Result<Vec<String>, Self::Error>;
    /// Whether the code was ever issued.
    fn code_issued(&mut self, code: &str) -> Result<bool, Self::Error>;
    /// The kind and item of a recorded lot or batch.
    fn stock_of(&mut self, code: &str) -> Result<Option<(StockKind, String)>, Self::Error>;
    /// The last consumption line of a recorded batch (0 for none).
    fn last_line(&mut self, batch_code: &str) -> Result<u32, Self::Error>;
    /// A fresh shipment code for a shipment on `date` (issued as it is given).
    fn shipment_code(&mut self, date: jiff::civil::Date) -> Result<String, Self::Error>;
}

/// What a history import records.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HistorySummary {
    pub lots: usize,
    pub batches: usize,
    pub consumptions: usize,
    pub shipments: usize,
    pub shipment_lines: usize,
    pub wastes: usize,
    pub statuses: usize,
}

/// One step of the plan, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// a code taken by the import (a lot's or batch's own code, as the file gives it)
    Issue { code: String, at: String },
    /// a record to journal, imported from this file's line
    Record {
        record: Record,
        file: Option<String>,
        line: u64,
    },
}

/// What a history import will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryPlan {
    pub steps: Vec<Step>,
    /// batches put into batches: (input, batch, the consumption's line), for the check
    /// that no batch ends up inside itself
    pub batch_edges: Vec<(String, String, u64)>,
    pub summary: HistorySummary,
}

/// Plans the import of `history` over what `records` hold; shipments' days in `tz`.
pub fn plan<R: HistoryRecords>(
    history: &History,
    tz: &jiff::tz::TimeZone,
    records: &mut R,
) -> Result<HistoryPlan, PlanError<R::Error>> {
    let known = |e| PlanError::Known(e);
    let items: HashMap<String, (String, ItemKind, Unit)> = records
        .items()
        .map_err(known)?
        .into_iter()
        .map(|(sku, kind, unit)| (sku.to_uppercase(), (sku, kind, unit)))
        .collect();
    let suppliers: HashSet<String> = records
        .suppliers()
        .map_err(known)?
        .into_iter()
        .map(|c| c.to_uppercase())
        .collect();
    let customers: HashMap<String, String> = records
        .customers()
        .map_err(known)?
        .into_iter()
        .map(|c| (c.to_uppercase(), c))
        .collect();
    let unit_of = |sku: &str| {
        items
            .get(&sku.to_uppercase())
            .map(|i| i.2)
            .unwrap_or(Unit::Each)
    };
    let files = &history.files;
    let mut plan = HistoryPlan::default();
    // code -> (kind, SKU) of everything this import makes
    let mut made: HashMap<String, (StockKind, String)> = HashMap::new();
    let stock_of = |records: &mut R,
                    made: &HashMap<String, (StockKind, String)>,
                    code: &str|
     -> Result<Option<(StockKind, String)>, PlanError<R::Error>> {
        match made.get(code) {
            Some(found) => Ok(Some(found.clone())),
            None => records.stock_of(code).map_err(PlanError::Known),
        }
    };
    let record = |plan: &mut HistoryPlan, record: Record, file: &Option<String>, line| {
        plan.steps.push(Step::Record {
            record,
            file: file.clone(),
            line,
        })
    };

    for row in &history.receipts {
        let f = &files.receipts;
        let Some((item_sku, _, unit)) = items.get(&row.item_sku.to_uppercase()).cloned() else {
            return Err(located(
                f,
                row.line,
                "item_sku",
                format!("unknown item {}", row.item_sku),
            )
            .into());
        };
        if !suppliers.contains(&row.supplier_code.to_uppercase()) {
            return Err(located(
                f,
                row.line,
                "supplier_code",
                format!("unknown supplier {}", row.supplier_code),
            )
            .into());
        }
        if made.contains_key(&row.lot_code) || records.code_issued(&row.lot_code).map_err(known)? {
            return Err(located(
                f,
                row.line,
                "lot_code",
                format!("code {} is already in use", row.lot_code),
            )
            .into());
        }
        let quantity = Quantity::convert(row.quantity, row.unit, unit)
            .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
        plan.steps.push(Step::Issue {
            code: row.lot_code.clone(),
            at: row.received_at.to_string(),
        });
        record(
            &mut plan,
            Record::LotReceived {
                code: row.lot_code.clone(),
                item_sku: item_sku.clone(),
                supplier_code: row.supplier_code.clone(),
                supplier_lot: row.supplier_lot.clone(),
                invoice: row.invoice.clone(),
                quantity: quantity.base,
                unit,
                received_at: row.received_at,
                expiry: row.expiry,
                note: None,
            },
            f,
            row.line,
        );
        made.insert(row.lot_code.clone(), (StockKind::Lot, item_sku));
        plan.summary.lots += 1;
    }

    for row in &history.batches {
        let f = &files.batches;
        let (product_sku, unit) = match items.get(&row.product_sku.to_uppercase()) {
            None => {
                return Err(located(
                    f,
                    row.line,
                    "product_sku",
                    format!("unknown item {}", row.product_sku),
                )
                .into());
            }
            Some((_, ItemKind::Material, _)) => {
                return Err(located(
                    f,
                    row.line,
                    "product_sku",
                    format!("{} is a material; batches make products", row.product_sku),
                )
                .into());
            }
            Some((sku, ItemKind::Product, unit)) => (sku.clone(), *unit),
        };
        if made.contains_key(&row.batch_code)
            || records.code_issued(&row.batch_code).map_err(known)?
        {
            return Err(located(
                f,
                row.line,
                "batch_code",
                format!("code {} is already in use", row.batch_code),
            )
            .into());
        }
        let yield_quantity = Quantity::convert(row.yield_quantity, unit, unit)
            .map_err(|e| located(f, row.line, "yield", e.to_string()))?;
        plan.steps.push(Step::Issue {
            code: row.batch_code.clone(),
            at: row.produced_at.to_string(),
        });
        record(
            &mut plan,
            Record::BatchOpened {
                code: row.batch_code.clone(),
                product_sku: product_sku.clone(),
                opened_at: row.produced_at,
                production_date: row.production_date,
            },
            f,
            row.line,
        );
        record(
            &mut plan,
            Record::BatchClosed {
                code: row.batch_code.clone(),
                yield_quantity: yield_quantity.base,
                unit,
                expiry: row.expiry,
                closed_at: row.produced_at,
                note: None,
            },
            f,
            row.line,
        );
        made.insert(row.batch_code.clone(), (StockKind::Batch, product_sku));
        plan.summary.batches += 1;
    }

    let mut next_line: HashMap<String, u32> = HashMap::new();
    for row in &history.consumptions {
        let f = &files.consumptions;
        let batch = stock_of(records, &made, &row.batch_code)?;
        if batch.map(|(kind, _)| kind) != Some(StockKind::Batch) {
            return Err(located(
                f,
                row.line,
                "batch_code",
                format!("unknown batch {}", row.batch_code),
            )
            .into());
        }
        let Some((input_kind, input_sku)) = stock_of(records, &made, &row.input_code)? else {
            return Err(located(
                f,
                row.line,
                "input_code",
                format!("unknown lot or batch {}", row.input_code),
            )
            .into());
        };
        if row.input_code == row.batch_code {
            return Err(located(
                f,
                row.line,
                "input_code",
                format!("batch {} cannot consume itself", row.batch_code),
            )
            .into());
        }
        let unit = unit_of(&input_sku);
        let quantity = Quantity::convert(row.quantity, row.unit, unit)
            .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
        let line_no = match next_line.get_mut(&row.batch_code) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                // a batch this import makes has no lines yet
                let last = if made.contains_key(&row.batch_code) {
                    0
                } else {
                    records.last_line(&row.batch_code).map_err(known)?
                };
                next_line.insert(row.batch_code.clone(), last + 1);
                last + 1
            }
        };
        if input_kind == StockKind::Batch {
            plan.batch_edges
                .push((row.input_code.clone(), row.batch_code.clone(), row.line));
        }
        record(
            &mut plan,
            Record::Consumption {
                batch_code: row.batch_code.clone(),
                line_no,
                input_code: row.input_code.clone(),
                input_kind,
                quantity: quantity.base,
                unit,
                warning: None,
            },
            f,
            row.line,
        );
        plan.summary.consumptions += 1;
    }

    // one shipment per order, customer and time, in the order each first appears
    type ShipmentKey = (String, String, jiff::Timestamp);
    let mut groups: Vec<(ShipmentKey, Vec<&crate::masterdata::ShipmentRow>)> = Vec::new();
    let mut group_index: HashMap<ShipmentKey, usize> = HashMap::new();
    for row in &history.shipments {
        let key = (
            row.order_number.clone(),
            row.customer_code.clone(),
            row.shipped_at,
        );
        match group_index.get(&key) {
            Some(&i) => groups[i].1.push(row),
            None => {
                group_index.insert(key.clone(), groups.len());
                groups.push((key, vec![row]));
            }
        }
    }
    for ((order_number, customer_code, shipped_at), rows) in groups {
        let f = &files.shipments;
        let first = rows[0];
        let Some(customer_code) = customers.get(&customer_code.to_uppercase()).cloned() else {
            return Err(located(
                f,
                first.line,
                "customer_code",
                format!("unknown customer {customer_code}"),
            )
            .into());
        };
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some((StockKind::Batch, sku)) = stock_of(records, &made, &row.batch_code)? else {
                return Err(located(
                    f,
                    row.line,
                    "batch_code",
                    format!("unknown batch {}", row.batch_code),
                )
                .into());
            };
            let unit = unit_of(&sku);
            let quantity = Quantity::convert(row.quantity, unit, unit)
                .map_err(|e| located(f, row.line, "quantity", e.to_string()))?;
            lines.push(ShippedLine {
                batch_code: row.batch_code.clone(),
                quantity: quantity.base,
            });
        }
        let code = records
            .shipment_code(shipped_at.to_zoned(tz.clone()).date())
            .map_err(known)?;
        plan.summary.shipment_lines += lines.len();
        record(
            &mut plan,
            Record::Shipment {
                code,
                order_number,
                customer_code,
                shipped_at,
                lines,
            },
            f,
            first.line,
        );
        plan.summary.shipments += 1;
    }

    for row in &history.wastes {
        let f = &files.wastes;
        let Some((_, sku)) = stock_of(records, &made, &row.code)? else {
            return Err(located(
                f,
                row.line,
                "code",
                format!("unknown lot or batch {}", row.code),
            )
            .into());
        };
        let unit = unit_of(&sku);
        let quantity = Quantity::convert(row.quantity, row.unit, unit)
            .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
        record(
            &mut plan,
            Record::Waste {
                code: row.code.clone(),
                quantity: quantity.base,
                unit,
                reason: row.reason.clone(),
                at: row.at,
            },
            f,
            row.line,
        );
        plan.summary.wastes += 1;
    }

    for row in &history.statuses {
        let f = &files.statuses;
        if stock_of(records, &made, &row.code)?.is_none() {
            return Err(located(
                f,
                row.line,
                "code",
                format!("unknown lot or batch {}", row.code),
            )
            .into());
        }
        record(
            &mut plan,
            Record::StatusChange {
                code: row.code.clone(),
                status: row.status,
                reason: row.reason.clone(),
                at: row.at,
            },
            f,
            row.line,
        );
        plan.summary.statuses += 1;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Decimal;
    use crate::masterdata::{BatchRow, ConsumptionRow, HistoryFiles, ReceiptRow, ShipmentRow};

    /// The records as a test says they are: one recorded batch with two lines, and codes
    /// issued from SHP-1 on.
    #[derive(Default)]
    struct Records {
        issued: Vec<String>,
    }

    impl HistoryRecords for Records {
        type Error = String;
        fn items(&mut self) -> Result<Vec<(String, ItemKind, Unit)>, String> {
            Ok(vec![
                ("OLIVE".into(), ItemKind::Material, Unit::Kg),
                ("SOAP".into(), ItemKind::Product, Unit::Each),
            ])
        }
        fn suppliers(&mut self) -> Result<Vec<String>, String> {
            Ok(vec!["COASTAL".into()])
        }
        fn customers(&mut self) -> Result<Vec<String>, String> {
            Ok(vec!["C001".into()])
        }
        fn code_issued(&mut self, code: &str) -> Result<bool, String> {
            Ok(code == "MFG-0001" || self.issued.iter().any(|c| c == code))
        }
        fn stock_of(&mut self, code: &str) -> Result<Option<(StockKind, String)>, String> {
            Ok((code == "MFG-0001").then(|| (StockKind::Batch, "SOAP".to_string())))
        }
        fn last_line(&mut self, batch_code: &str) -> Result<u32, String> {
            Ok(if batch_code == "MFG-0001" { 2 } else { 0 })
        }
        fn shipment_code(&mut self, _: jiff::civil::Date) -> Result<String, String> {
            let code = format!("SHP-{}", self.issued.len() + 1);
            self.issued.push(code.clone());
            Ok(code)
        }
    }

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("time")
    }

    fn files() -> HistoryFiles {
        HistoryFiles {
            receipts: Some("receipts.csv".into()),
            batches: Some("batches.csv".into()),
            consumptions: Some("consumptions.csv".into()),
            shipments: Some("shipments.csv".into()),
            wastes: None,
            statuses: None,
        }
    }

    fn receipt(line: u64, code: &str, sku: &str, supplier: &str) -> ReceiptRow {
        ReceiptRow {
            line,
            lot_code: code.into(),
            item_sku: sku.into(),
            supplier_code: supplier.into(),
            supplier_lot: "SL-1".into(),
            invoice: "INV-1".into(),
            quantity: Decimal::parse("20").expect("decimal"),
            unit: Unit::Kg,
            received_at: at("2025-01-02T09:00:00Z"),
            expiry: None,
        }
    }

    fn history() -> History {
        History {
            receipts: vec![receipt(2, "OLV-1", "olive", "COASTAL")],
            batches: vec![BatchRow {
                line: 2,
                batch_code: "B-2".into(),
                product_sku: "SOAP".into(),
                produced_at: at("2025-01-03T09:00:00Z"),
                production_date: "2025-01-03".parse().expect("date"),
                yield_quantity: Decimal::parse("12").expect("decimal"),
                expiry: None,
            }],
            consumptions: vec![
                ConsumptionRow {
                    line: 2,
                    batch_code: "B-2".into(),
                    input_code: "OLV-1".into(),
                    quantity: Decimal::parse("3").expect("decimal"),
                    unit: Unit::Kg,
                },
                ConsumptionRow {
                    line: 3,
                    batch_code: "MFG-0001".into(),
                    input_code: "B-2".into(),
                    quantity: Decimal::parse("1").expect("decimal"),
                    unit: Unit::Each,
                },
            ],
            shipments: vec![
                ShipmentRow {
                    line: 2,
                    order_number: "1001".into(),
                    customer_code: "c001".into(),
                    shipped_at: at("2025-01-04T09:00:00Z"),
                    batch_code: "B-2".into(),
                    quantity: Decimal::parse("2").expect("decimal"),
                },
                ShipmentRow {
                    line: 3,
                    order_number: "1001".into(),
                    customer_code: "c001".into(),
                    shipped_at: at("2025-01-04T09:00:00Z"),
                    batch_code: "MFG-0001".into(),
                    quantity: Decimal::parse("1").expect("decimal"),
                },
            ],
            wastes: Vec::new(),
            statuses: Vec::new(),
            files: files(),
        }
    }

    fn rule<E: std::fmt::Debug>(result: Result<HistoryPlan, PlanError<E>>) -> String {
        match result {
            Err(PlanError::Rule(e)) => e.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_history_becomes_its_records_in_order() {
        let planned = plan(
            &history(),
            &jiff::tz::TimeZone::UTC,
            &mut Records::default(),
        )
        .expect("plan");
        assert_eq!(
            planned.summary,
            HistorySummary {
                lots: 1,
                batches: 1,
                consumptions: 2,
                shipments: 1,
                shipment_lines: 2,
                wastes: 0,
                statuses: 0,
            }
        );
        let kinds: Vec<&str> = planned
            .steps
            .iter()
            .map(|s| match s {
                Step::Issue { .. } => "issue",
                Step::Record { record, .. } => record.kind(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "issue",
                "lot_received",
                "issue",
                "batch_opened",
                "batch_closed",
                "consumption",
                "consumption",
                "shipment"
            ]
        );
        // the item as the master data spells it; the recorded batch's next line is its third
        assert!(planned.steps.iter().any(|s| matches!(s,
            Step::Record { record: Record::LotReceived { item_sku, quantity, .. }, .. }
                if item_sku == "OLIVE" && *quantity == 20_000_000)));
        assert!(planned.steps.iter().any(|s| matches!(s,
            Step::Record { record: Record::Consumption { batch_code, line_no: 3, .. }, line: 3, .. }
                if batch_code == "MFG-0001")));
        assert!(planned.steps.iter().any(|s| matches!(s,
            Step::Record { record: Record::Shipment { code, customer_code, lines, .. }, .. }
                if code == "SHP-1" && customer_code == "C001" && lines.len() == 2)));
        assert_eq!(
            planned.batch_edges,
            [("B-2".to_string(), "MFG-0001".to_string(), 3)]
        );
    }

    #[test]
    fn unknown_and_taken_names_are_refused_at_their_row() {
        let mut unknown = history();
        unknown.receipts.push(receipt(3, "LYE-1", "LYE", "COASTAL"));
        assert_eq!(
            rule(plan(
                &unknown,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            )),
            "receipts.csv line 3, column item_sku: unknown item LYE"
        );
        let mut stranger = history();
        stranger.receipts[0].supplier_code = "NOBODY".into();
        assert!(
            rule(plan(
                &stranger,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            ))
            .contains("unknown supplier NOBODY")
        );
        let mut twice = history();
        twice.receipts.push(receipt(3, "OLV-1", "OLIVE", "COASTAL"));
        assert_eq!(
            rule(plan(
                &twice,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            )),
            "receipts.csv line 3, column lot_code: code OLV-1 is already in use"
        );
        let mut taken = history();
        taken.batches[0].batch_code = "MFG-0001".into();
        assert!(
            rule(plan(
                &taken,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            ))
            .contains("code MFG-0001 is already in use")
        );
        let mut itself = history();
        itself.consumptions[0].input_code = "B-2".into();
        assert!(
            rule(plan(
                &itself,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            ))
            .contains("batch B-2 cannot consume itself")
        );
        let mut customer = history();
        customer.shipments[0].customer_code = "C404".into();
        assert!(
            rule(plan(
                &customer,
                &jiff::tz::TimeZone::UTC,
                &mut Records::default()
            ))
            .contains("shipments.csv line 2, column customer_code: unknown customer C404")
        );
    }
}
