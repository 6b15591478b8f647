//! `lotstation hold|release CODE --reason TEXT`.

use crate::store::Location;

use crate::core::workflow::Status;

pub fn change(
    db: &Location,
    station: &crate::config::Station,
    code: &str,
    reason: &str,
    status: Status,
) -> anyhow::Result<i32> {
    let mut store = super::open_existing(db, station)?;
    let operator = std::env::var("USER").ok();
    let changed = store.change_status(
        code,
        status,
        reason,
        crate::clock::now(),
        operator.as_deref(),
    )?;
    let what = match status {
        Status::Available => "released",
        Status::Hold => "on hold",
        Status::Quarantine => "in quarantine",
        Status::Recalled => "recalled",
        Status::Void => "void",
    };
    say!(
        "{} is {what} ({reason}); journal entry {}",
        changed.describe(code),
        changed.seq
    );
    Ok(0)
}
