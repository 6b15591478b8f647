//! Holds, releases and recalls asked for over HTTP, carried out by the loop (it owns the
//! writer). Each refusal is a typed `CommandError`, so the server picks its status by kind.

use super::state::Daemon;
use crate::core::workflow::Status;
use crate::events::{ApiCommand, ApiReply, CommandError};

impl Daemon {
    pub fn handle_api(&mut self, command: ApiCommand) -> Result<ApiReply, CommandError> {
        let now = self.clock.now();
        let operator = Some("http");
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
            ApiCommand::Recall { code, supplier } => {
                let target = self.store.resolve(&code, supplier.as_deref())?;
                if !target.is_stock() {
                    return Err(CommandError::Invalid(format!(
                        "a recall starts at a lot or a batch; {} is a {}",
                        target.code(),
                        target.kind()
                    )));
                }
                let files = crate::report::recall_package(
                    &mut self.store,
                    &target,
                    false,
                    now,
                    operator,
                    &self.station.timezone,
                )
                .map_err(|e| match e {
                    crate::report::RecallError::Store(e) => CommandError::from(e),
                    other => CommandError::Unavailable(other.to_string()),
                })?;
                ApiReply::Recall(Box::new(files))
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
        };
        tracing::info!(?reply, "API command carried out");
        Ok(reply)
    }
}
