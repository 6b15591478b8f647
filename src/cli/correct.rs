//! `lotstation void CODE --reason TEXT` and `lotstation adjust CODE --qty|--yield|--expiry
//! VALUE --reason TEXT`: corrections as records, by the same rules as `@VOID`/`@ADJUST`.

use crate::core::workflow::Asked;
use crate::store::{Location, StoreError};

pub fn correct(
    db: &Location,
    station: &crate::config::Station,
    code: &str,
    asked: Asked,
    reason: &str,
) -> anyhow::Result<i32> {
    let mut store = super::open_existing(db, station)?;
    let operator = std::env::var("USER").ok();
    let now = crate::clock::now();
    let today = now.to_zoned(station.timezone.clone()).date();
    match store.correct(code, &asked, reason, now, today, operator.as_deref()) {
        Ok((seq, message)) => {
            say!("{message}; journal entry {seq}");
            if let Asked::Expiry(_) = asked {
                say!("its label with the new expiry: lotstation label render lot|batch {code}");
            }
            Ok(0)
        }
        // the records say no: said plainly, nothing written
        Err(StoreError::Refused(why) | StoreError::NotFound(why)) => {
            eprintln!("error: {why}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}
