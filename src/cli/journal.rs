//! `lotstation journal verify` and `lotstation journal show`.

use crate::store::Location;

use std::io::Write;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Recompute the hash chain and run SQLite's integrity check
    Verify,
    /// Print journal entries as JSON lines (or, `--format text`, one sentence each)
    Show {
        /// only entries after this sequence number
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// at most this many entries
        #[arg(long, default_value_t = 1000)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Json)]
        format: ShowFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// each entry as the journal keeps it, one JSON object a line
    Json,
    /// each entry as a sentence, in the station's local time
    Text,
}

pub fn journal(
    db: &Location,
    station: &crate::config::Station,
    command: JournalCommand,
) -> anyhow::Result<i32> {
    // reading only: the witness file is read, never created
    let store = crate::store::Store::open_read_only(db)?;
    match command {
        JournalCommand::Verify => {
            let report = store.verify(&station.witness(db))?;
            if let Some(error) = &report.chain_error {
                say!("journal BROKEN: {error}");
            }
            for problem in &report.records {
                say!("records BROKEN: {problem}");
            }
            if report.integrity != ["ok"] {
                for line in &report.integrity {
                    say!("database integrity problem: {line}");
                }
            }
            for problem in &report.witness {
                say!("journal BROKEN: {problem}");
            }
            let witness = match report.witnessed {
                Some(heads) => format!(
                    "all {heads} heads witnessed in {} are in the chain",
                    report.witness_path
                ),
                None => format!(
                    "no witness file at {} (it starts with the next write)",
                    report.witness_path
                ),
            };
            if report.ok() {
                say!(
                    "journal ok: {} entries, chain intact, head {}; records match the journal; {witness}; database integrity ok",
                    report.entries,
                    report.head_hash
                );
                Ok(0)
            } else {
                Ok(1)
            }
        }
        JournalCommand::Show {
            after,
            limit,
            format,
        } => {
            // buffered, and a reader that goes away (`| head`) ends the command quietly
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for entry in store.journal(after, limit)? {
                match format {
                    ShowFormat::Json => serde_json::to_writer(&mut out, &entry)?,
                    ShowFormat::Text => {
                        let who = [&entry.station, &entry.bench, &entry.operator]
                            .into_iter()
                            .flatten()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join("/");
                        write!(
                            out,
                            "{:>6}  {}  {:<12}  {}",
                            entry.seq,
                            crate::clock::local_text(&entry.at, &station.timezone),
                            if who.is_empty() { "-" } else { &who },
                            crate::core::plain::describe(&entry.kind, &entry.body)
                        )?;
                    }
                }
                out.write_all(b"\n")?;
            }
            out.flush()?;
            Ok(0)
        }
    }
}

/// `lotstation migrate --to postgresql://…`: the SQLite station's records into an empty
/// PostgreSQL database, both journals verified, and what to put in each station's config.
pub fn migrate(db: &Location, to: &Location) -> anyhow::Result<i32> {
    let mut source = crate::store::Store::open_read_only(db)?;
    // a station still recording there would leave what it records during and after the
    // copy behind: the copy holds the file as a station would, for as long as it runs
    if let Location::Sqlite(_) = db
        && let Err(e) = source.claim_station("migrate", &[], std::time::Duration::from_secs(30))
    {
        eprintln!(
            "error: {e}
Stop the station first (sudo systemctl stop lotstation), migrate, then point its config at {to} and start it again."
        );
        return Ok(1);
    }
    let mut target = crate::store::Store::open(to)?;
    let migrated = source.migrate_to(&mut target)?;
    let mut out = std::io::stdout().lock();
    for (table, rows) in &migrated.tables {
        if *rows > 0 {
            writeln!(out, "copied {rows} rows of {table}")?;
        }
    }
    let (source, target) = (&migrated.source, &migrated.target);
    let same = source.head_hash == target.head_hash && source.entries == target.entries;
    if !(source.ok() && target.ok() && same) {
        writeln!(
            out,
            "migrate FAILED: {db}: {} entries, head {}, {}; {to}: {} entries, head {}, {}",
            source.entries,
            source.head_hash,
            if source.ok() {
                "verifies"
            } else {
                "does NOT verify"
            },
            target.entries,
            target.head_hash,
            if target.ok() {
                "verifies"
            } else {
                "does NOT verify"
            },
        )?;
        return Ok(1);
    }
    writeln!(
        out,
        "both journals verify: {} entries, the same head {}\n\n\
         Now point every station at it. In each station's config:\n\n\
         [station]\n\
         database = \"{to}\"\n\
         name = \"kitchen\"   # each station its own name (dock, kitchen, packing, ...)\n\n\
         and give each [[bench]] a name no other station uses. The password goes in the\n\
         service's environment (PGPASSWORD) or in ~/.pgpass, not in the file.\n\
         Keep {db} as it is: it is the record of everything up to now.",
        target.entries, target.head_hash
    )?;
    Ok(0)
}
