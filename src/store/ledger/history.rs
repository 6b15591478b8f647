//! Past records from spreadsheets (`lotstation import history DIR`): planned by the import's
//! rules (`core::history_plan`, over what `Records` reads), journaled as imported (file and
//! line), then checked for what cannot have happened (`history_check`), all in one
//! transaction.

use std::collections::HashMap;

use crate::store::sql::Optional;
use crate::store::sql::params;

use crate::core::codes::{CodeContext, CodeFormat, Unit};
pub use crate::core::history_plan::HistorySummary;
use crate::core::history_plan::{self, HistoryRecords, Step};
use crate::core::import_plan::PlanError;
use crate::core::workflow::{ItemKind, StockKind, World};
use crate::masterdata::{History, ImportError};
use crate::store::{Store, StoreError, StoreTx};

fn imported(file: &Option<String>, line: u64) -> Option<(&'static str, serde_json::Value)> {
    Some((
        "imported",
        serde_json::json!({ "file": file, "line": line }),
    ))
}

/// What the records hold, as the history import's rules ask it, read (and a shipment's
/// code issued) inside the import's transaction.
struct Records<'t, 'a> {
    tx: &'t mut StoreTx<'a>,
    shipment_format: &'t CodeFormat,
}

impl HistoryRecords for Records<'_, '_> {
    type Error = StoreError;

    fn items(&mut self) -> Result<Vec<(String, ItemKind, Unit)>, StoreError> {
        Ok(self
            .tx
            .db
            .rows("SELECT sku, kind, unit FROM items", params![], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                ))
            })?
            .into_iter()
            .map(|(sku, kind, unit)| {
                let kind = if kind == "product" {
                    ItemKind::Product
                } else {
                    ItemKind::Material
                };
                (sku, kind, Unit::parse(&unit).unwrap_or(Unit::Each))
            })
            .collect())
    }

    fn suppliers(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .tx
            .db
            .rows("SELECT code FROM suppliers", params![], |r| r.get(0))?)
    }

    fn customers(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .tx
            .db
            .rows("SELECT code FROM customers", params![], |r| r.get(0))?)
    }

    fn code_issued(&mut self, code: &str) -> Result<bool, StoreError> {
        self.tx.code_issued(code)
    }

    fn stock_of(&mut self, code: &str) -> Result<Option<(StockKind, String)>, StoreError> {
        let lot: Option<String> = self
            .tx
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
            .tx
            .db
            .row(
                "SELECT product_sku FROM batches WHERE code = $1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        Ok(batch.map(|sku| (StockKind::Batch, sku)))
    }

    fn last_line(&mut self, batch_code: &str) -> Result<u32, StoreError> {
        Ok(self.tx.db.row(
            "SELECT COALESCE(MAX(line_no), 0) FROM consumptions WHERE batch_code = $1",
            params![batch_code],
            |r| r.get(0),
        )?)
    }

    fn shipment_code(&mut self, date: jiff::civil::Date) -> Result<String, StoreError> {
        self.tx
            .allocate_code(
                self.shipment_format,
                CodeContext {
                    prefix: "SHP",
                    date,
                },
            )
            .map_err(StoreError::from_world)
    }
}

impl Store {
    /// Imports past receipts, batches, consumptions and shipments, all or nothing: planned
    /// by the import's rules (`core::history_plan`), journaled, then checked for what cannot
    /// have happened (`history_check`).
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
        let planned = {
            let mut records = Records {
                tx: &mut tx,
                shipment_format,
            };
            match history_plan::plan(history, tz, &mut records) {
                Ok(planned) => planned,
                Err(PlanError::Rule(e)) => return Err(e.into()),
                Err(PlanError::Known(e)) => return Err(e),
            }
        };
        phase("planned");
        for step in &planned.steps {
            match step {
                Step::Issue { code, at } => tx.issue_code(code, at)?,
                Step::Record { record, file, line } => {
                    tx.append_record_with(record, None, None, at, imported(file, *line))?;
                }
            }
        }
        if let Some(line) = tx.find_cycle(&planned.batch_edges)? {
            return Err(ImportError::at(
                history.files.consumptions.as_deref().unwrap_or_default(),
                line,
                "input_code",
                "this consumption closes a loop: a batch would end up inside itself".into(),
            )
            .into());
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
        Ok(planned.summary)
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
                self.failed.get_or_insert(StoreError::from_world(e));
                None
            }
        }
    }
}
