//! The subcommands (SPEC §7), one file each; each is thin glue over the library.

/// `println!` that returns the error where `println!` would panic: the reader of our
/// output went away (`lotstation demo | head`), and `main` then exits quietly.
macro_rules! say {
    () => {{
        use std::io::Write as _;
        writeln!(std::io::stdout())?;
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?;
    }};
}

mod bench;
mod complaint;
mod correct;
mod demo;
mod devices;
pub(crate) mod export;
pub(crate) mod import;
mod journal;
mod label;
mod recall;
mod run;
mod status;
mod trace;
mod user;

use std::path::PathBuf;

use crate::store::Location;
use clap::{Parser, Subcommand};

use crate::config::Station;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "lotstation",
    version,
    about = "Lot traceability station: scans in, a hash-chained journal, labels out"
)]
pub struct Cli {
    /// the database: a SQLite file, or postgresql://user@host/database where stations share
    /// one (default: the config's `station.database`, else ./lotstation.db)
    #[arg(long, global = true, value_parser = parse_location)]
    pub db: Option<Location>,
    /// station configuration (TOML); an embedded default is used without it
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the station daemon (with a stdin scanner: one scan per line in, one feedback line out)
    Run {
        /// check the configuration (devices, printers, templates) and exit
        #[arg(long)]
        check: bool,
    },
    /// A scripted day at a soap workshop, end to end, in a fresh folder
    Demo {
        /// folder for the demo's database, master data and labels
        #[arg(long, default_value = "demo")]
        dir: PathBuf,
        /// print only the summary, not every scan
        #[arg(long)]
        quiet: bool,
    },
    /// Import master data from CSV (all or nothing per file)
    Import {
        #[command(subcommand)]
        what: import::ImportCommand,
    },
    /// Trace a code forward (to customers) or backward (to suppliers)
    Trace {
        #[command(subcommand)]
        what: trace::TraceCommand,
    },
    /// The recall package of a lot: recall.json, customers.csv, recall.pdf
    Recall {
        /// lot code (or batch code), or a supplier's lot number
        lot: String,
        /// narrow a supplier lot number to one supplier
        #[arg(long)]
        supplier: Option<String>,
        /// a drill: produce the package and change nothing
        #[arg(long)]
        mock: bool,
        /// a real recall without asking first (it marks the lots recalled and puts every
        /// batch made from them on hold; at a terminal the station asks, elsewhere it
        /// refuses without this)
        #[arg(long)]
        yes: bool,
        /// only the lots of this item, where the supplier used one lot number for several
        /// items (vanilla and caramel under VAN-2612-001)
        #[arg(long)]
        item: Option<String>,
        /// the notice to consumers: what the danger is (a real recall needs it)
        #[arg(long)]
        hazard: Option<String>,
        /// the notice to consumers: what you offer, a refund or a replacement (a real
        /// recall needs it, here or as [recall] remedy in the config)
        #[arg(long)]
        remedy: Option<String>,
        /// folder for the package (default ./recall-<code>)
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = recall::RecallFormat::Text)]
        format: recall::RecallFormat,
    },
    /// The skeleton of the written traceability plan FSMA 204 asks for (21 CFR 1.1315),
    /// from the configuration and the records: who keeps them, how lots are coded, the
    /// products, how a trace and the 24-hour spreadsheet are made; for the owner to complete
    Plan {
        /// the file to write (Markdown)
        #[arg(short, long, default_value = "traceability-plan.md")]
        output: PathBuf,
    },
    /// Every recall drill (`recall --mock`): when, who, what, what it found and how long
    /// it took, for an auditor
    Drills {
        #[arg(long, value_enum, default_value_t = trace::Format::Text)]
        format: trace::Format,
    },
    /// On hand per lot and batch, with status, expiry and days of cover
    Stock {
        /// only this item
        #[arg(long)]
        item: Option<String>,
        /// include used-up lots and batches
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = trace::Format::Text)]
        format: trace::Format,
    },
    /// Render a lot's, batch's or shipment's label to a file, or print it through the running station
    Label {
        #[command(subcommand)]
        what: label::LabelCommand,
    },
    /// A printable PDF of command, item and supplier barcodes: run a station with a scanner alone
    Sheet {
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// only the cards of this bench's workflow (its `[[bench]] workflow`), its items,
        /// suppliers and yields
        #[arg(long)]
        bench: Option<String>,
    },
    /// The synthetic workshop and the benchmark table
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// The scanners, scales and printers this machine can see (and `record` raw input)
    Devices {
        #[command(subcommand)]
        what: Option<devices::DevicesCommand>,
    },
    /// Copy this SQLite station's records into an empty PostgreSQL database that several
    /// stations will share, and verify both journals
    Migrate {
        /// the PostgreSQL database: postgresql://user@host[:port]/database
        #[arg(long, value_parser = parse_location)]
        to: Location,
    },
    /// The accounts people sign in to the console with (owner or clerk)
    User {
        #[command(subcommand)]
        what: user::UserCommand,
    },
    /// Customers' complaints and adverse events, with the batches and lots they concern
    Complaint {
        #[command(subcommand)]
        what: complaint::ComplaintCommand,
    },
    /// The records as a regulator asks for them (FSMA 204)
    Export {
        #[command(subcommand)]
        what: export::ExportCommand,
    },
    /// Check or show the journal
    Journal {
        #[command(subcommand)]
        what: journal::JournalCommand,
    },
    /// Put a lot or batch on hold (or in quarantine)
    Hold {
        /// lot or batch code
        code: String,
        /// why (recorded in the journal)
        #[arg(long)]
        reason: String,
        /// quarantine instead of hold
        #[arg(long)]
        quarantine: bool,
    },
    /// Release a lot or batch from hold or quarantine
    Release {
        code: String,
        #[arg(long)]
        reason: String,
    },
    /// Void a lot, batch or shipment recorded by mistake (refused while something uses it)
    Void {
        /// lot, batch or shipment code
        code: String,
        /// why (recorded in the journal)
        #[arg(long)]
        reason: String,
    },
    /// Correct a lot's or batch's quantity on hand, a batch's yield or an expiry
    #[command(group(clap::ArgGroup::new("change").required(true).args(["qty", "yield_", "expiry"])))]
    Adjust {
        /// lot or batch code
        code: String,
        /// what a count found on hand now (`17kg`, `0`)
        #[arg(long)]
        qty: Option<String>,
        /// what the batch really made
        #[arg(long = "yield", id = "yield_")]
        yield_: Option<String>,
        /// the right expiry (YYYY-MM-DD or YYMMDD)
        #[arg(long)]
        expiry: Option<String>,
        /// why (recorded in the journal)
        #[arg(long)]
        reason: String,
    },
}

/// Runs a command; returns the process exit code.
pub fn main(cli: Cli) -> anyhow::Result<i32> {
    // a configuration that is wrong is a usage error: said with the file and key, exit 2
    let station = match Station::load(&crate::clock::Disk, cli.config.as_deref()) {
        Ok(station) => station,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(2);
        }
    };
    let db = station.database(cli.db.as_ref());
    match cli.command {
        Command::Run { check: true } => run::check(&station, &db),
        Command::Run { check: false } => run::run(station, &db),
        Command::Demo { dir, quiet } => demo::demo(&dir, quiet),
        Command::Import { what } => import::import(&db, &station, what),
        Command::Journal { what } => journal::journal(&db, &station, what),
        Command::Export { what } => export::export(&db, &station, what),
        Command::Complaint { what } => complaint::complaint(&db, &station, what),
        Command::User { what } => user::user(&db, &station, what),
        Command::Migrate { to } => journal::migrate(&db, &to),
        Command::Trace { what } => trace::trace(&db, &station, what),
        Command::Bench { what } => bench::bench(what),
        Command::Devices { what: None } => devices::list(),
        Command::Devices { what: Some(record) } => devices::record(record),
        Command::Label { what } => label::label(&db, &station, what),
        Command::Sheet { output, bench } => {
            label::sheet(&db, &station, output.as_deref(), bench.as_deref())
        }
        Command::Drills { format } => recall::drills(&db, &station, format),
        Command::Plan { output } => export::plan(&db, &station, &output),
        Command::Recall {
            lot,
            supplier,
            mock,
            yes,
            item,
            hazard,
            remedy,
            out,
            format,
        } => recall::recall(
            &db,
            &station,
            recall::RecallArgs {
                code: lot,
                supplier,
                mock,
                yes,
                item,
                hazard,
                remedy,
                out,
                format,
            },
        ),
        Command::Stock { item, all, format } => {
            trace::stock(&db, &station, item.as_deref(), all, format)
        }
        Command::Hold {
            code,
            reason,
            quarantine,
        } => status::change(
            &db,
            &station,
            &code,
            &reason,
            if quarantine {
                crate::core::workflow::Status::Quarantine
            } else {
                crate::core::workflow::Status::Hold
            },
        ),
        Command::Void { code, reason } => correct::correct(
            &db,
            &station,
            &code,
            crate::core::workflow::Asked::Void,
            &reason,
        ),
        Command::Adjust {
            code,
            qty,
            yield_,
            expiry,
            reason,
        } => {
            use crate::core::workflow::Asked;
            let asked = match (qty, yield_, expiry) {
                (Some(qty), _, _) => Asked::Count(qty),
                (_, Some(quantity), _) => Asked::Yield(quantity),
                (_, _, Some(date)) => Asked::Expiry(date),
                _ => unreachable!("clap requires one"),
            };
            correct::correct(&db, &station, &code, asked, &reason)
        }
        Command::Release { code, reason } => status::change(
            &db,
            &station,
            &code,
            &reason,
            crate::core::workflow::Status::Available,
        ),
    }
}

fn parse_location(text: &str) -> Result<Location, String> {
    Location::parse(text)
}

/// Opens (creating if needed) a database to write, with the station's witness file and name.
fn open_store(db: &Location, station: &Station) -> anyhow::Result<Store> {
    let mut store = Store::open(db)?;
    store.set_witness(&station.witness(db))?;
    store.set_station(station.name());
    Ok(store)
}

/// Opens an existing database, with the station's witness file and name.
fn open_existing(db: &Location, station: &Station) -> anyhow::Result<Store> {
    let mut store = Store::open_existing(db)?;
    store.set_witness(&station.witness(db))?;
    store.set_station(station.name());
    Ok(store)
}
