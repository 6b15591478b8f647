//! Past records from spreadsheets (`lotstation import history DIR`): checked against master
//! data and existing records, journaled as imported (file and line), all in one
//! transaction with cached statements.

use std::collections::{HashMap, HashSet};

use crate::store::sql::Optional;
use crate::store::sql::params;

use crate::core::codes::{CodeContext, CodeFormat, Quantity, Unit};
use crate::core::workflow::{Record, ShippedLine, StockKind, World};
use crate::masterdata::{History, ImportError};
use crate::store::{Store, StoreError, StoreTx};

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

fn located(file: &Option<String>, line: u64, column: &str, message: String) -> StoreError {
    ImportError::at(file.as_deref().unwrap_or_default(), line, column, message).into()
}

fn imported(file: &Option<String>, line: u64) -> Option<(&'static str, serde_json::Value)> {
    Some((
        "imported",
        serde_json::json!({ "file": file, "line": line }),
    ))
}

/// order number, customer, time: the rows of one shipment
type ShipmentKey = (String, String, jiff::Timestamp);

struct Known {
    /// upper-case sku -> (sku as in the items, is product, unit)
    items: HashMap<String, (String, bool, Unit)>,
    suppliers: HashSet<String>,
    /// upper-case code -> the code as the master data spells it
    customers: HashMap<String, String>,
}

impl StoreTx<'_> {
    fn known(&self) -> Result<Known, StoreError> {
        let mut items = HashMap::new();
        let rows = self
            .db
            .rows("SELECT sku, kind, unit FROM items", params![], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                ))
            })?;
        for (sku, kind, unit) in rows {
            items.insert(
                sku.to_uppercase(),
                (
                    sku,
                    kind == "product",
                    Unit::parse(&unit).unwrap_or(Unit::Each),
                ),
            );
        }
        let set = |sql: &str| -> Result<HashSet<String>, StoreError> {
            let rows = self.db.rows(sql, params![], |r| r.get::<String>(0))?;
            Ok(rows.into_iter().map(|c| c.to_uppercase()).collect())
        };
        Ok(Known {
            items,
            suppliers: set("SELECT code FROM suppliers")?,
            customers: {
                let rows = self.db.rows("SELECT code FROM customers", params![], |r| {
                    r.get::<String>(0)
                })?;
                rows.into_iter().map(|c| (c.to_uppercase(), c)).collect()
            },
        })
    }

    /// The kind and item of a lot or batch, imported in this run or already in the journal.
    fn stock_of(
        &self,
        imported: &HashMap<String, (StockKind, String)>,
        code: &str,
    ) -> Result<Option<(StockKind, String)>, StoreError> {
        match imported.get(code) {
            Some(found) => Ok(Some(found.clone())),
            None => self.existing_stock(code),
        }
    }

    /// The kind and item of an existing lot or batch.
    fn existing_stock(&self, code: &str) -> Result<Option<(StockKind, String)>, StoreError> {
        let lot: Option<String> = self
            .db
            .row(
                "SELECT item_sku FROM lots WHERE code = $1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sku) = lot {
            return Ok(Some((StockKind::Lot, sku)));
        }
        let batch: Option<String> = self
            .db
            .row(
                "SELECT product_sku FROM batches WHERE code = $1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        Ok(batch.map(|sku| (StockKind::Batch, sku)))
    }
}

impl Store {
    /// Imports past receipts, batches, consumptions and shipments, all or nothing.
    pub fn import_history(
        &mut self,
        history: &History,
        shipment_format: &CodeFormat,
        tz: &jiff::tz::TimeZone,
        at: jiff::Timestamp,
        allow_batches_without_consumptions: bool,
    ) -> Result<HistorySummary, StoreError> {
        let started = std::time::Instant::now();
        let phase = |name: &str| {
            tracing::debug!(
                phase = name,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "history import"
            )
        };
        let mut tx = self.begin()?;
        tx.load_issued_codes()?;
        let known = tx.known()?;
        let files = &history.files;
        let mut summary = HistorySummary::default();
        // code -> (kind, sku) for everything this import creates
        let mut new_stock: HashMap<String, (StockKind, String)> = HashMap::new();

        for row in &history.receipts {
            let f = &files.receipts;
            let Some((item_sku, _, unit)) = known.items.get(&row.item_sku.to_uppercase()).cloned()
            else {
                return Err(located(
                    f,
                    row.line,
                    "item_sku",
                    format!("unknown item {}", row.item_sku),
                ));
            };
            if !known.suppliers.contains(&row.supplier_code.to_uppercase()) {
                return Err(located(
                    f,
                    row.line,
                    "supplier_code",
                    format!("unknown supplier {}", row.supplier_code),
                ));
            }
            if tx.code_issued(&row.lot_code)? {
                return Err(located(
                    f,
                    row.line,
                    "lot_code",
                    format!("code {} is already in use", row.lot_code),
                ));
            }
            let quantity = Quantity::convert(row.quantity, row.unit, unit)
                .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
            tx.issue_code(&row.lot_code, &row.received_at.to_string())?;
            let record = Record::LotReceived {
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
            };
            tx.append_record_with(&record, None, None, at, imported(f, row.line))?;
            new_stock.insert(row.lot_code.clone(), (StockKind::Lot, item_sku));
            summary.lots += 1;
        }

        for row in &history.batches {
            let f = &files.batches;
            let product = match known.items.get(&row.product_sku.to_uppercase()) {
                None => {
                    return Err(located(
                        f,
                        row.line,
                        "product_sku",
                        format!("unknown item {}", row.product_sku),
                    ));
                }
                Some((_, false, _)) => {
                    return Err(located(
                        f,
                        row.line,
                        "product_sku",
                        format!("{} is a material; batches make products", row.product_sku),
                    ));
                }
                Some((sku, true, unit)) => (sku.clone(), *unit),
            };
            if tx.code_issued(&row.batch_code)? || new_stock.contains_key(&row.batch_code) {
                return Err(located(
                    f,
                    row.line,
                    "batch_code",
                    format!("code {} is already in use", row.batch_code),
                ));
            }
            let (product_sku, unit) = product;
            let yield_quantity = Quantity::convert(row.yield_quantity, unit, unit)
                .map_err(|e| located(f, row.line, "yield", e.to_string()))?;
            tx.issue_code(&row.batch_code, &row.produced_at.to_string())?;
            let opened = Record::BatchOpened {
                code: row.batch_code.clone(),
                product_sku: product_sku.clone(),
                opened_at: row.produced_at,
                production_date: row.production_date,
            };
            tx.append_record_with(&opened, None, None, at, imported(f, row.line))?;
            let closed = Record::BatchClosed {
                code: row.batch_code.clone(),
                yield_quantity: yield_quantity.base,
                unit,
                expiry: row.expiry,
                closed_at: row.produced_at,
                note: None,
            };
            tx.append_record_with(&closed, None, None, at, imported(f, row.line))?;
            new_stock.insert(row.batch_code.clone(), (StockKind::Batch, product_sku));
            summary.batches += 1;
        }

        let mut next_line: HashMap<String, u32> = HashMap::new();
        let mut batch_edges: Vec<(String, String, u64)> = Vec::new();
        for row in &history.consumptions {
            let f = &files.consumptions;
            let batch_kind = tx
                .stock_of(&new_stock, &row.batch_code)?
                .map(|(kind, _)| kind);
            if batch_kind != Some(StockKind::Batch) {
                return Err(located(
                    f,
                    row.line,
                    "batch_code",
                    format!("unknown batch {}", row.batch_code),
                ));
            }
            let input = tx.stock_of(&new_stock, &row.input_code)?;
            let Some((input_kind, input_sku)) = input else {
                return Err(located(
                    f,
                    row.line,
                    "input_code",
                    format!("unknown lot or batch {}", row.input_code),
                ));
            };
            if row.input_code == row.batch_code {
                return Err(located(
                    f,
                    row.line,
                    "input_code",
                    format!("batch {} cannot consume itself", row.batch_code),
                ));
            }
            let unit = known
                .items
                .get(&input_sku.to_uppercase())
                .map(|i| i.2)
                .unwrap_or(Unit::Each);
            let quantity = Quantity::convert(row.quantity, row.unit, unit)
                .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
            let line_no = match next_line.get_mut(&row.batch_code) {
                Some(n) => {
                    *n += 1;
                    *n
                }
                // a batch this import makes has no lines yet
                None if new_stock.contains_key(&row.batch_code) => {
                    next_line.insert(row.batch_code.clone(), 1);
                    1
                }
                None => {
                    let last: u32 = tx.db.row(
                        "SELECT COALESCE(MAX(line_no), 0) FROM consumptions WHERE batch_code = $1",
                        params![&row.batch_code],
                        |r| r.get(0),
                    )?;
                    next_line.insert(row.batch_code.clone(), last + 1);
                    last + 1
                }
            };
            if input_kind == StockKind::Batch {
                batch_edges.push((row.input_code.clone(), row.batch_code.clone(), row.line));
            }
            let record = Record::Consumption {
                batch_code: row.batch_code.clone(),
                line_no,
                input_code: row.input_code.clone(),
                input_kind,
                quantity: quantity.base,
                unit,
                warning: None,
            };
            tx.append_record_with(&record, None, None, at, imported(f, row.line))?;
            summary.consumptions += 1;
        }
        if let Some(line) = tx.find_cycle(&batch_edges)? {
            return Err(located(
                &files.consumptions,
                line,
                "input_code",
                "this consumption closes a loop: a batch would end up inside itself".into(),
            ));
        }

        // one shipment per order, customer and time
        phase("consumptions queued");
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
            let Some(customer_code) = known.customers.get(&customer_code.to_uppercase()).cloned()
            else {
                return Err(located(
                    f,
                    first.line,
                    "customer_code",
                    format!("unknown customer {customer_code}"),
                ));
            };
            let mut lines = Vec::new();
            for row in &rows {
                let stock = tx.stock_of(&new_stock, &row.batch_code)?;
                let Some((StockKind::Batch, sku)) = stock else {
                    return Err(located(
                        f,
                        row.line,
                        "batch_code",
                        format!("unknown batch {}", row.batch_code),
                    ));
                };
                let unit = known
                    .items
                    .get(&sku.to_uppercase())
                    .map(|i| i.2)
                    .unwrap_or(Unit::Each);
                let quantity = Quantity::convert(row.quantity, unit, unit)
                    .map_err(|e| located(f, row.line, "quantity", e.to_string()))?;
                lines.push(ShippedLine {
                    batch_code: row.batch_code.clone(),
                    quantity: quantity.base,
                });
            }
            let date = shipped_at.to_zoned(tz.clone()).date();
            let code = tx
                .allocate_code(
                    shipment_format,
                    CodeContext {
                        prefix: "SHP",
                        date,
                    },
                )
                .map_err(|e| StoreError::Corrupt(e.0))?;
            summary.shipment_lines += lines.len();
            let record = Record::Shipment {
                code,
                order_number,
                customer_code,
                shipped_at,
                lines,
            };
            tx.append_record_with(&record, None, None, at, imported(f, first.line))?;
            summary.shipments += 1;
        }
        for row in &history.wastes {
            let f = &files.wastes;
            let stock = tx.stock_of(&new_stock, &row.code)?;
            let Some((_, sku)) = stock else {
                return Err(located(
                    f,
                    row.line,
                    "code",
                    format!("unknown lot or batch {}", row.code),
                ));
            };
            let unit = known
                .items
                .get(&sku.to_uppercase())
                .map(|i| i.2)
                .unwrap_or(Unit::Each);
            let quantity = Quantity::convert(row.quantity, row.unit, unit)
                .map_err(|e| located(f, row.line, "unit", e.to_string()))?;
            let record = Record::Waste {
                code: row.code.clone(),
                quantity: quantity.base,
                unit,
                reason: row.reason.clone(),
                at: row.at,
            };
            tx.append_record_with(&record, None, None, at, imported(f, row.line))?;
            summary.wastes += 1;
        }
        for row in &history.statuses {
            let f = &files.statuses;
            if tx.stock_of(&new_stock, &row.code)?.is_none() {
                return Err(located(
                    f,
                    row.line,
                    "code",
                    format!("unknown lot or batch {}", row.code),
                ));
            }
            let record = Record::StatusChange {
                code: row.code.clone(),
                status: row.status,
                reason: row.reason.clone(),
                at: row.at,
            };
            tx.append_record_with(&record, None, None, at, imported(f, row.line))?;
            summary.statuses += 1;
        }
        phase("records queued");
        tx.db.flush()?;
        phase("records sent");
        tx.refuse_the_impossible(history, allow_batches_without_consumptions)?;
        phase("checked");
        tx.commit()?;
        phase("committed");
        // a bulk import leaves a large write-ahead log that every read would consult
        self.checkpoint()?;
        // and tables PostgreSQL has no statistics of yet: until its autovacuum gets to
        // them, traces would be planned blind
        self.analyze()?;
        phase("analyzed");
        Ok(summary)
    }
}

impl StoreTx<'_> {
    /// With every imported row in the transaction, refuses what cannot have happened (the
    /// rules are `history_check`'s; the records answer what they ask).
    fn refuse_the_impossible(
        &mut self,
        history: &History,
        allow_batches_without_consumptions: bool,
    ) -> Result<(), StoreError> {
        let mut recorded = RecordedByTx {
            tx: self,
            failed: None,
            made: HashMap::new(),
        };
        let verdict = crate::history_check::refuse_the_impossible(
            history,
            allow_batches_without_consumptions,
            &mut recorded,
        );
        if let Some(e) = recorded.failed {
            return Err(e);
        }
        verdict.map_err(StoreError::Import)
    }

    /// When a lot was received or a batch made, if it exists.
    fn made_at(&self, code: &str) -> Result<Option<jiff::Timestamp>, StoreError> {
        let text: Option<String> = self
            .db
            .row(
                "SELECT received_at FROM lots WHERE code = $1 \
                 UNION ALL SELECT opened_at FROM batches WHERE code = $1 LIMIT 1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        Ok(text.and_then(|t| t.parse().ok()))
    }

    /// With the new batch-to-batch edges added to the recorded ones, is there a loop? Returns
    /// the file line of a new edge on it.
    fn find_cycle(&self, new_edges: &[(String, String, u64)]) -> Result<Option<u64>, StoreError> {
        if new_edges.is_empty() {
            return Ok(None);
        }
        // (the recorded edges include the new ones: they were inserted in this transaction)
        let recorded: Vec<(String, String)> = self.db.rows(
            "SELECT DISTINCT input_code, batch_code FROM consumptions WHERE input_kind = 'batch'",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(crate::history_check::find_cycle(&recorded, new_edges))
    }
}

/// What the records hold, for the history rules, read in the import's transaction.
struct RecordedByTx<'t, 'a> {
    tx: &'t StoreTx<'a>,
    /// the first store failure (the rules see "nothing known" after it; it is returned)
    failed: Option<StoreError>,
    /// when each code asked about was made (a history uses each batch many times)
    made: HashMap<String, Option<jiff::Timestamp>>,
}

impl crate::history_check::Recorded for RecordedByTx<'_, '_> {
    fn made_at(&mut self, code: &str) -> Option<jiff::Timestamp> {
        if let Some(at) = self.made.get(code) {
            return *at;
        }
        match self.tx.made_at(code) {
            Ok(at) => {
                self.made.insert(code.to_string(), at);
                at
            }
            Err(e) => {
                self.failed.get_or_insert(e);
                None
            }
        }
    }

    fn stock(&mut self, code: &str) -> Option<crate::core::workflow::StockView> {
        match self.tx.stock_view(code) {
            Ok(stock) => stock,
            Err(e) => {
                self.failed.get_or_insert(StoreError::Corrupt(e.0));
                None
            }
        }
    }
}
