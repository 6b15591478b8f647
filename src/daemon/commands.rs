//! Holds, releases and recalls asked for over HTTP, carried out by the loop (it owns the
//! writer). Each refusal is a typed `CommandError`, so the server picks its status by kind.

use super::state::Daemon;
use crate::core::workflow::Status;
use crate::events::{ApiCommand, ApiReply, CommandError};

impl Daemon {
    /// A label asked for by name: the record must exist, the printer must be one of the
    /// station's (or the only one); the job is journaled, then queued like a bench's.
    fn print_by_name(
        &mut self,
        label: crate::core::workflow::LabelKind,
        code: &str,
        printer: Option<&str>,
        copies: u32,
        now: jiff::Timestamp,
        operator: &str,
    ) -> Result<ApiReply, CommandError> {
        let printers: Vec<&str> = self
            .station
            .config
            .printer
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let printer = match (printer, printers.as_slice()) {
            (Some(name), all) if all.contains(&name) => name.to_string(),
            (Some(name), all) => {
                return Err(CommandError::NotFound(format!(
                    "no printer {name}; this station has: {}",
                    if all.is_empty() {
                        "none".to_string()
                    } else {
                        all.join(", ")
                    }
                )));
            }
            (None, [only]) => only.to_string(),
            (None, []) => {
                return Err(CommandError::Invalid(
                    "this station has no printer configured".into(),
                ));
            }
            (None, all) => {
                return Err(CommandError::Invalid(format!(
                    "say which printer: {}",
                    all.join(", ")
                )));
            }
        };
        if !(1..=500).contains(&copies) {
            return Err(CommandError::Invalid("copies are 1 to 500".into()));
        }
        // the record is there (the label is rendered from it by the printer's worker)
        self.store.label_facts(label, code)?;
        let print = crate::core::workflow::PrintRequest {
            label,
            code: code.to_string(),
            copies,
        };
        let mut tx = self.store.begin()?;
        let (seq, id) =
            tx.append_print_job(&print, "http", Some(&printer), Some(operator), now, None)?;
        tx.commit()?;
        self.printing.enqueue(crate::store::PrintJob {
            id,
            bench: "http".into(),
            printer: printer.clone(),
            label,
            code: code.to_string(),
            copies,
        });
        Ok(ApiReply::Done(format!(
            "{} label of {code} ({copies} cop{}) queued on {printer}; journal entry {seq}",
            label.name(),
            if copies == 1 { "y" } else { "ies" }
        )))
    }

    /// A change asked over HTTP, journaled as `operator`'s (a console account, or `http`
    /// for the station's token).
    pub fn handle_api(
        &mut self,
        command: ApiCommand,
        asked_by: &str,
    ) -> Result<ApiReply, CommandError> {
        let now = self.clock.now();
        let operator = Some(asked_by);
        let reply = match command {
            ApiCommand::Hold {
                code,
                reason,
                quarantine,
            } => {
                let status = if quarantine {
                    Status::Quarantine
                } else {
                    Status::Hold
                };
                let changed = self
                    .store
                    .change_status(&code, status, &reason, now, operator)?;
                ApiReply::Done(format!(
                    "{} is {} ({reason}); journal entry {}",
                    changed.describe(&code),
                    status.as_str(),
                    changed.seq
                ))
            }
            ApiCommand::Release { code, reason } => {
                let changed =
                    self.store
                        .change_status(&code, Status::Available, &reason, now, operator)?;
                ApiReply::Done(format!(
                    "{} is released ({reason}); journal entry {}",
                    changed.describe(&code),
                    changed.seq
                ))
            }
            ApiCommand::Recall {
                code,
                supplier,
                hazard,
                remedy,
            } => {
                let target = self.store.resolve(&code, supplier.as_deref())?;
                if !target.is_stock() {
                    return Err(CommandError::Invalid(format!(
                        "a recall starts at a lot or a batch; {} is a {}",
                        target.code(),
                        target.kind()
                    )));
                }
                let words =
                    crate::report::notice::NoticeWords::from_config(&self.station, hazard, remedy);
                if let Some(missing) = words.missing() {
                    return Err(CommandError::Invalid(missing));
                }
                let files = crate::report::recall_package(
                    &mut self.store,
                    &target,
                    false,
                    now,
                    operator,
                    &self.station.timezone,
                    &words,
                )
                .map_err(|e| match e {
                    crate::report::RecallError::Store(e) => CommandError::from(e),
                    other => CommandError::Unavailable(other.to_string()),
                })?;
                ApiReply::Recall(Box::new(files))
            }
            ApiCommand::Print {
                label,
                code,
                printer,
                copies,
            } => self.print_by_name(label, &code, printer.as_deref(), copies, now, asked_by)?,
            ApiCommand::Drill { body } => {
                let seq = self.store.record_drill(&body, now, operator)?;
                ApiReply::Done(format!("journal entry {seq}"))
            }
            ApiCommand::Correct {
                code,
                asked,
                reason,
            } => {
                let today = now.to_zoned(self.station.timezone.clone()).date();
                let (seq, message) = self
                    .store
                    .correct(&code, &asked, &reason, now, today, operator)?;
                ApiReply::Done(format!("{message}; journal entry {seq}"))
            }
            ApiCommand::Complaint {
                customer,
                code,
                text,
                serious,
            } => {
                let tz = self.station.timezone.clone();
                let (seq, complaint, others) = self
                    .store
                    .add_complaint(&customer, &code, &text, serious, &tz, now, operator)?;
                ApiReply::Done(crate::core::complaint::describe_recorded(
                    seq, &complaint, others,
                ))
            }
            ApiCommand::RetireMaster { kind, key, retire } => {
                let seq = match kind {
                    crate::masterdata::MasterKind::Items => {
                        self.store.retire_item(&key, retire, now, operator)?
                    }
                    crate::masterdata::MasterKind::Boms => {
                        self.store.retire_recipe(&key, retire, now, operator)?
                    }
                    other => self
                        .store
                        .retire_party(other, &key, retire, now, operator)?,
                };
                ApiReply::Done(format!(
                    "{} {}; journal entry {seq}",
                    master_name(kind, &key),
                    if retire { "retired" } else { "brought back" }
                ))
            }
            ApiCommand::DeleteMaster { kind, key } => {
                let seq = match kind {
                    crate::masterdata::MasterKind::Items => {
                        self.store.delete_item(&key, now, operator)?
                    }
                    crate::masterdata::MasterKind::Boms => {
                        self.store.delete_recipe(&key, now, operator)?
                    }
                    other => self.store.delete_party(other, &key, now, operator)?,
                };
                ApiReply::Done(format!(
                    "{} deleted; journal entry {seq}",
                    master_name(kind, &key)
                ))
            }
            ApiCommand::ImportShop {
                shop,
                files,
                sha256,
                orders,
            } => {
                let mut skus = crate::store::SkuMap::default();
                for (theirs, ours) in &self.station.config.sku_map {
                    skus.insert(theirs, ours);
                }
                let summary = self
                    .store
                    .import_shop_orders_by(shop, &files, &sha256, &orders, &skus, now, operator)?;
                ApiReply::Done(crate::cli::import::shop_summary_text(
                    shop, &files, &summary,
                ))
            }
            ApiCommand::ImportMaster { file, sha256, data } => {
                let summary = self
                    .store
                    .import_master_by(&file, &sha256, &data, now, operator)?;
                ApiReply::Done(summary.text())
            }
        };
        tracing::info!(?reply, "API command carried out");
        Ok(reply)
    }
}

/// A store's refusal as the API answers it (each kind one HTTP status): the two rooms
/// meet here, so neither imports the other.
impl From<crate::store::StoreError> for CommandError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::NotFound(message) => CommandError::NotFound(message),
            StoreError::Ambiguous(message) => CommandError::Conflict(message),
            StoreError::Refused(message) => CommandError::Invalid(message),
            other => CommandError::Unavailable(other.to_string()),
        }
    }
}

/// What a console change of master data names: the key, or "the recipe of" a product.
fn master_name(kind: crate::masterdata::MasterKind, key: &str) -> String {
    match kind {
        crate::masterdata::MasterKind::Boms => format!("the recipe of {key}"),
        _ => key.to_string(),
    }
}
