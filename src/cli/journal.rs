//! `lotstation journal verify` and `lotstation journal show`.

use std::path::Path;

use clap::Subcommand;

use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Recompute the hash chain and run SQLite's integrity check
    Verify,
    /// Print journal entries as JSON lines
    Show {
        /// only entries after this sequence number
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// at most this many entries
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
}

pub fn journal(db: &Path, command: JournalCommand) -> anyhow::Result<i32> {
    let store = Store::open_existing(db)?;
    match command {
        JournalCommand::Verify => {
            let report = store.verify()?;
            if let Some(error) = &report.chain_error {
                println!("journal BROKEN: {error}");
            }
            for problem in &report.records {
                println!("records BROKEN: {problem}");
            }
            if report.integrity != ["ok"] {
                for line in &report.integrity {
                    println!("database integrity problem: {line}");
                }
            }
            if report.ok() {
                println!(
                    "journal ok: {} entries, chain intact, head {}; records match the journal; database integrity ok",
                    report.entries, report.head_hash
                );
                Ok(0)
            } else {
                Ok(1)
            }
        }
        JournalCommand::Show { after, limit } => {
            for entry in store.journal(after, limit)? {
                println!("{}", serde_json::to_string(&entry)?);
            }
            Ok(0)
        }
    }
}
